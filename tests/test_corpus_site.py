"""The static site: generated from an ingested corpus and opened from the file system in a real Chromium."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xxgk.cli import app
from xxgk.corpus.charts import bar_chart, line_chart
from xxgk.corpus.ingest import IngestOptions, ingest
from xxgk.corpus.synthetic import Options, generate_corpus

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    gen = tmp_path_factory.mktemp("site_gen")
    opts = Options(seed=8, carry_error_rate=0.2, mix={"pipes": 2, "markdown": 1, "html": 1})
    generate_corpus(gen, 160, seed=8, workers=2, options=opts)
    db = tmp_path_factory.mktemp("site_db")
    ingest([str(gen / "docs"), str(gen / "mirrors")], db, IngestOptions(workers=2, agencies=gen / "agencies.csv"))
    out = tmp_path_factory.mktemp("site")
    result = CliRunner().invoke(app, ["corpus", "site", "--db", str(db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "已生成网站" in result.output
    return out


def test_site_is_self_contained(site: Path) -> None:
    pages = list(site.rglob("*.html"))
    assert (site / "index.html").exists() and len(pages) > 20
    for page in pages[:50]:
        html = page.read_text(encoding="utf-8")
        assert "http://" not in html.split("<main>")[0] and "<script" not in html
        assert 'src="http' not in html and "<link" not in html


def test_charts_keep_blanks_apart_from_zero() -> None:
    svg = bar_chart(["2020", "2021", "2022"], [("申请量", [3, None, 0])], "测试")
    assert svg.count("<rect") == 2  # None draws nothing; 0 draws an empty bar
    svg = line_chart(["2020", "2021", "2022"], [("申请量", [3, None, 5])], "测试")
    assert svg.count("<circle") == 2 and "<polyline" not in svg  # the blank breaks the line


def test_site_in_a_real_browser(site: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not found (apt-get install chromium)")
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync"]  # fmt: skip
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=args)
        try:
            page = browser.new_page()
            failed: list[str] = []
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.goto((site / "index.html").as_uri())
            assert "总览" in page.title()
            assert page.locator("svg.chart").count() >= 3
            assert page.locator("#regions tr").count() > 2
            assert page.locator("#findings").inner_text().count("corpus.carry_over") == 1
            page.locator("#regions a").first.click()
            assert page.locator("svg.chart").count() >= 2
            page.locator("table.league a").first.click()
            assert page.locator("#reports tr").count() >= 2
            assert page.locator("#yoy tr").count() >= 2
            page.go_back()
            page.go_back()
            # an agency whose carry-over does not match: the cross-report finding is on its page
            page.goto((site / "index.html").as_uri())
            links = page.locator("table.league a")
            found = False
            for i in range(links.count()):
                href = links.nth(i).get_attribute("href")
                assert href is not None
                text = (site / href).read_text(encoding="utf-8")
                if "corpus.carry_over" in text:
                    page.goto((site / href).as_uri())
                    assert "上年结转" in page.locator("#agency-findings").inner_text()
                    found = True
                    break
            assert found
            assert not failed
        finally:
            browser.close()


def test_site_cli_needs_an_ingested_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["corpus", "site", "--db", str(tmp_path), "--out", str(tmp_path / "s")])
    assert result.exit_code == 1 and "不是语料库输出目录" in result.output
    shutil.rmtree(tmp_path / "s", ignore_errors=True)
