"""The model `make test` trains, loaded once for every test here that parses text through it."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.nlu.pipeline_eval import Pipeline
from bot.settings import load_settings
from bot.training import model_path


@pytest.fixture(scope="session")
def model() -> Path:
    path = model_path(load_settings())
    if not path.is_file():
        pytest.fail(f"no trained model at {path}: `make test` trains it first (or run `make train`)")
    return path


@pytest.fixture(scope="session")
def pipeline(model: Path):
    loaded = Pipeline(model)
    yield loaded
    loaded.close()
