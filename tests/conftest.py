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
