"""The per-document function, duplicate fingerprints, agency names, and the process-pool engine."""

from __future__ import annotations

import pickle
from random import Random

import pytest

from xxgk.corpus import synthetic as S
from xxgk.corpus.agency import agency_key, classify
from xxgk.corpus.dedupe import fingerprint
from xxgk.corpus.engines import LocalEngine
from xxgk.corpus.pipeline import content_hash, process_one, process_partition


def _doc(seed: int = 1, layout: str = "pipes", agency: str = "江苏省南通市民政局", year: int = 2022) -> bytes:
    values = S.random_values("2021", Random(seed))
    return S.render_document("2021", values, layout, year, agency)[0]


def test_process_one_returns_plain_columns() -> None:
    raw = _doc()
    rec = process_one(raw, {"source": "a/report.txt"})
    assert rec["status"] == "ok" and rec["error"] is None
    assert rec["hash"] == content_hash(raw)
    assert rec["report"]["agency"] == "江苏省南通市民政局"
    assert rec["report"]["region"] == "江苏省" and rec["report"]["level"] == "市级"
    values = dict(zip(rec["values"]["key"], rec["values"]["value"], strict=True))
    assert values["applications.new.total"] is not None
    assert len(rec["values"]["span_start"]) == len(rec["values"]["key"])
    assert pickle.loads(pickle.dumps(rec)) == rec  # engines ship it between processes


def test_blank_cell_stays_null_not_zero() -> None:
    values = S.random_values("2021", Random(2))
    values["applications.granted.research"] = None
    raw = S.render_document("2021", values, "cell_per_line", 2022, "某某市民政局")[0]
    rec = process_one(raw, {"source": "x.txt"})
    got = dict(zip(rec["values"]["key"], rec["values"]["value"], strict=True))
    assert got["applications.granted.research"] is None
    assert "applications.granted.research" in got


@pytest.mark.parametrize(
    ("raw", "source", "fragment"),
    [
        (b"", "empty.txt", "文件为空"),
        (b"%PDF-1.4 not really a pdf", "broken.pdf", "broken.pdf"),
        (b"PK\x03\x04garbage word/", "broken.docx", "broken.docx"),
    ],
)
def test_unreadable_documents_become_error_records(raw: bytes, source: str, fragment: str) -> None:
    rec = process_one(raw, {"source": source})
    assert rec["status"] == "error"
    assert fragment in rec["error"]
    assert rec["values"]["key"] == [] and rec["report"] is None


def test_parser_crash_and_timeout_are_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    import xxgk.extract

    def boom(doc: object) -> object:
        raise ZeroDivisionError("synthetic parser bug")

    monkeypatch.setattr(xxgk.extract, "parse_document", boom)
    rec = process_one(_doc(), {"source": "x.txt"})
    assert rec["status"] == "error" and "ZeroDivisionError" in rec["error"]

    def slow(doc: object) -> object:
        import time

        time.sleep(5)
        raise AssertionError("not reached")

    monkeypatch.setattr(xxgk.extract, "parse_document", slow)
    rec = process_one(_doc(), {"source": "x.txt", "timeout": 0.2})
    assert rec["status"] == "error" and "超时" in rec["error"]


def test_fingerprint_is_the_same_for_mirrors_formats_and_traditional_characters() -> None:
    values = S.random_values("2021", Random(4))
    agency = "广东省广州市生态环境局"
    variants = [
        S.render_document("2021", values, "pipes", 2022, agency)[0],
        S.render_document("2021", values, "markdown", 2022, agency)[0],
        S.render_document("2021", values, "html", 2022, agency)[0],
        S.render_document("2021", values, "spaces", 2022, agency, traditional=True)[0],
    ]
    prints = {process_one(raw, {"source": f"v{i}"})["fingerprint"] for i, raw in enumerate(variants)}
    assert len(prints) == 1
    other = S.render_document("2021", values, "pipes", 2023, agency)[0]  # another year: another report
    assert process_one(other, {"source": "o"})["fingerprint"] not in prints


def test_fingerprint_falls_back_to_text_without_data() -> None:
    a = fingerprint("2021", None, None, {}, "某某  报告，正文。")
    b = fingerprint("2021", None, None, {}, "某某报告正文")
    c = fingerprint("2021", None, None, {}, "另一份报告")
    assert a == b != c
    zero = fingerprint("2021", 2022, "某局", {"k": 0}, "x")
    blank = fingerprint("2021", 2022, "某局", {"k": None}, "x")
    assert zero == blank  # too few values to identify the report: the text decides


@pytest.mark.parametrize(
    ("name", "region", "level"),
    [
        ("南通市民政局", "南通市", "市级"),
        ("江苏省南通市民政局", "江苏省", "市级"),
        ("北京市海淀区人民政府", "北京市", "县级"),
        ("上海市民政局", "上海市", "省级"),
        ("湖南省民政厅", "湖南省", "省级"),
        ("浙江省杭州市上城区湖滨街道办事处", "浙江省", "乡镇级"),
        ("国家税务总局", "中央", "中央"),
        ("内蒙古自治区呼伦贝尔市鄂伦春自治旗民政局", "内蒙古自治区", "县级"),
        ("贵州省金文市住房和城乡建设局", "贵州省", "市级"),
        ("江苏省南通市市场监督管理局", "江苏省", "市级"),
        (None, None, None),
    ],
)
def test_classify_agency(name: str | None, region: str | None, level: str | None) -> None:
    assert classify(name) == (region, level)


def test_agency_key_folds_forms() -> None:
    assert agency_key("南通市 民政局") == agency_key("南通市民政局") == agency_key("南通市民政局 ")
    assert agency_key("廣州市生態環境局") == agency_key("广州市生态环境局")
    assert agency_key("某某（区）局") == "某某区局"
    assert agency_key("") is None


def test_local_engine_processes_everything_once() -> None:
    items = [(_doc(seed=i), {"source": f"d{i}.txt"}) for i in range(12)]
    items.append((b"", {"source": "empty.txt"}))
    engine = LocalEngine(workers=2, chunk=3)
    try:
        records = list(engine.map(iter(items)))
    finally:
        engine.close()
    assert sorted(r["source"] for r in records) == sorted(m["source"] for _, m in items)
    assert sum(r["status"] == "error" for r in records) == 1
    serial = {r["source"]: r["values"] for r in process_partition(items)}
    assert all(serial[r["source"]] == r["values"] for r in records)


def _crash_on_marker(items: list[tuple[bytes, dict[str, object]]]) -> list[dict[str, object]]:
    import os

    from xxgk.corpus.pipeline import process_batch

    if any(raw == b"CRASH" for raw, _ in items):
        os._exit(3)  # a native reader taking its worker down
    return process_batch(items)


def test_local_engine_survives_a_worker_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    import xxgk.corpus.engines as engines

    monkeypatch.setattr(engines, "process_batch", _crash_on_marker)
    items = [(_doc(seed=i), {"source": f"d{i}.txt"}) for i in range(6)]
    items.insert(3, (b"CRASH", {"source": "crash.bin"}))
    engine = LocalEngine(workers=2, chunk=2)
    try:
        records = list(engine.map(iter(items)))
    finally:
        engine.close()
    by_source = {r["source"]: r for r in records}
    assert len(records) == len(items) == len(by_source)
    assert by_source["crash.bin"]["status"] == "error" and "崩溃" in by_source["crash.bin"]["error"]
    assert all(by_source[f"d{i}.txt"]["status"] == "ok" for i in range(6))
