"""Browser test: Playwright drives Debian's chromium (headless) against ``xxgk serve`` on 127.0.0.1.

A citizen files an application online, a clerk asks for 补正, the citizen sees it and corrects, an approver
extends, the clerk answers with 部分公开 (signed by the approver), the tracker shows each step, and the year's
report counts it in the right cell.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from casework_server import free_port, prepare, start, stop

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{folder / 'browser.db'}"
    prepare(url)
    port = free_port()
    proc = start(url, port, folder / "server.log")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("没有 /usr/bin/chromium（Debian 的 chromium 包）：跳过浏览器测试")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


def test_citizen_clerk_approver_in_browser(server: str, browser: object) -> None:
    from playwright.sync_api import Browser, Page, expect

    assert isinstance(browser, Browser)

    def new_page() -> Page:
        page = browser.new_context(locale="zh-CN").new_page()
        page.on("dialog", lambda d: d.accept())
        page.set_default_timeout(15_000)
        return page

    def staff(username: str) -> Page:
        page = new_page()
        page.goto(f"{server}/login")
        page.fill("#username", username)
        page.fill("#password", "xxgk-demo-2025")
        page.click("button:has-text('登录')")
        expect(page.locator("h1")).to_contain_text("办理队列")
        return page

    def action(page: Page, key: str, fill: dict[str, str], select: dict[str, str] | None = None) -> None:
        box = page.locator(f"#act-{key}")
        box.locator("summary").click()
        for sel, value in fill.items():
            box.locator(sel).fill(value)
        for sel, value in (select or {}).items():
            box.locator(sel).select_option(value)
        box.locator("button[type=submit]").click()
        expect(page.locator(".error")).to_have_count(0)

    # 1. The citizen files online.
    citizen = new_page()
    citizen.goto(f"{server}/apply")
    citizen.select_option("#agency_id", label="示例市民政局")
    citizen.select_option("#applicant_type", "natural_person")
    citizen.fill("#applicant_name", "赵市民")
    citizen.fill("#applicant_phone", "13711112222")
    citizen.fill("#applicant_email", "zsm@example.com")
    citizen.fill("#description", "本区2024年度临时救助资金发放情况")
    citizen.click("button:has-text('提交申请')")
    number = citizen.locator("#app-number").inner_text().strip()
    code = citizen.locator("#query-code").inner_text().strip()
    assert re.fullmatch(r"YSQ\d{12}", number) and len(code) == 10

    # 2. The clerk finds it in the queue and asks for 补正.
    clerk = staff("clerk")
    clerk.click(f"text={number}")
    expect(clerk.locator("#state")).to_have_text("办理中")
    action(clerk, "request_correction", {"textarea[name=note]": "请说明需要哪个街道的数据"})
    expect(clerk.locator("#state")).to_have_text("待补正")

    # 3. The citizen sees the request on the tracker and corrects.
    tracker = new_page()
    tracker.goto(f"{server}/track")
    tracker.fill("#number", number)
    tracker.fill("#code", code)
    tracker.click("button:has-text('查询')")
    expect(tracker.locator("#state")).to_have_text("待补正")
    expect(tracker.locator("#trail")).to_contain_text("请说明需要哪个街道的数据")
    tracker.fill("#text", "全区所有街道")
    tracker.click("button:has-text('提交补正')")
    expect(tracker.locator("#trail")).to_contain_text("收到补正")

    # 4. The approver extends by 20 working days.
    approver = staff("approver")
    approver.click(f"text={number}")
    action(approver, "approve_extension", {"textarea[name=reason]": "需要汇总各街道数据"})
    expect(approver.locator("#events")).to_contain_text("extension_approved")

    # 5. The clerk answers 部分公开; the approver signs.
    clerk.reload()
    action(clerk, "draft_reply", {"textarea[name=details]": "涉及个人隐私的姓名已作区分处理。"},
           {"select[name=outcome]": "partial"})
    expect(clerk.locator("#state")).to_have_text("待签发")
    approver.reload()
    action(approver, "sign_reply", {})
    expect(approver.locator("#state")).to_have_text("已答复")

    # 6. The tracker shows each step and the reply letter.
    tracker.reload()
    trail = tracker.locator("#trail")
    for step in ("登记受理", "告知补正", "收到补正", "延期答复（延长20个工作日）", "作出答复"):
        expect(trail).to_contain_text(step)
    expect(tracker.locator("#reply")).to_contain_text("第三十七条")
    assert "拟定答复" not in trail.inner_text()

    # 7. The year's report counts it in 部分公开 × 自然人.
    clerk.goto(f"{server}/staff/reports/{date.today().year}")
    expect(clerk.locator('[data-key="applications.partial.natural_person"]')).to_have_text("1")
    expect(clerk.locator('[data-key="applications.new.natural_person"]')).to_have_text("1")
    expect(clerk.locator('[data-key="applications.partial.total"]')).to_have_text("1")
