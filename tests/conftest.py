"""Shared fixtures: the real reports in ../shared (present beside the checkout in CI)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared/{'/'.join(parts)} not present")
    return path


def load_gold(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return shared_path("seeds")


@pytest.fixture(scope="session")
def seed_gold() -> list[dict[str, Any]]:
    return load_gold(shared_path("gold"))


@pytest.fixture(scope="session")
def corpus_gold() -> list[dict[str, Any]]:
    return load_gold(shared_path("corpus", "gold"))


def soffice_convert(document: Any, to: str) -> bytes:
    """Save a python-docx document and convert it with headless LibreOffice (``to``: pdf, doc …)."""
    import io
    import subprocess
    import tempfile

    buf = io.BytesIO()
    document.save(buf)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "in.docx").write_bytes(buf.getvalue())
        subprocess.run(
            ["soffice", f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
             "--convert-to", to, "--outdir", tmp, str(work / "in.docx")],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        return (work / f"in.{to}").read_bytes()


def corpus_source(gold: dict[str, Any]) -> Path:
    """The raw development-corpus file of a gold record (skips if its reader is not installed)."""
    path = SHARED / "corpus" / "raw" / gold["file"]
    reader = {".html": "xxgk.ingest.html", ".pdf": "xxgk.ingest.pdf"}.get(path.suffix)
    if reader:
        pytest.importorskip(reader)
    return path
