"""Shared fixtures for the safety/ tests.  Uses spacy.blank only (no downloaded model)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from safety.engine import Engine, get_engine
from safety.rules import RULES_DIR

CORPUS_DIR = Path(__file__).parent / "corpus"


def read_corpus(name: str) -> list[dict]:
    rows = []
    for number, line in enumerate((CORPUS_DIR / name).read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            row = json.loads(line)
            row["line"] = number
            rows.append(row)
    return rows


@pytest.fixture(scope="session")
def engine() -> Engine:
    return get_engine()


@pytest.fixture()
def rules_copy(tmp_path: Path) -> Path:
    """A writable copy of the real rules directory, for load-error tests."""
    target = tmp_path / "rules"
    shutil.copytree(RULES_DIR, target)
    return target
