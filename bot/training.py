"""Train the Rasa model only when its inputs changed.

Rasa's own fingerprinting already skips unchanged components, but getting to that decision costs
10+ seconds of imports. We hash the training inputs ourselves first, so an unchanged project trains in
no time at all, and a changed one hands over to `rasa train` (which still reuses its cache).
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from bot.build import build, domain_dir
from bot.settings import Settings

MODEL_NAME = "clinic-support"


def models_dir(settings: Settings) -> Path:
    return settings.root / "models"


def model_path(settings: Settings) -> Path:
    return models_dir(settings) / f"{MODEL_NAME}.tar.gz"


def _stamp_path(settings: Settings) -> Path:
    # Beside the model it describes, so a test run with its own var directory reuses it.
    return models_dir(settings) / f"{MODEL_NAME}.fingerprint"


def training_inputs(settings: Settings) -> list[tuple[str, Path]]:
    """Every file whose content shapes the trained model, with a name independent of where it lives."""
    root = settings.root
    files = [("config.yml", root / "config.yml")]
    files += [(str(p.relative_to(root)), p) for p in sorted((root / "data").rglob("*.yml"))]
    files += [(f"domain/{p.name}", p) for p in sorted(domain_dir(settings).glob("*.yml"))]
    return files


def fingerprint(settings: Settings) -> str:
    digest = hashlib.sha256()
    for name, path in training_inputs(settings):
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def is_up_to_date(settings: Settings) -> bool:
    stamp = _stamp_path(settings)
    return (
        model_path(settings).exists()
        and stamp.exists()
        and stamp.read_text().strip() == fingerprint(settings)
    )


def train(settings: Settings, force: bool = False) -> bool:
    """Build generated files, then train if anything changed. Returns True when it trained."""
    build(settings)
    expected = fingerprint(settings)
    if not force and is_up_to_date(settings):
        print("train: model is up to date, nothing to do", flush=True)
        return False
    print("train: training the model (about two minutes on a 2-core machine)", flush=True)
    command = [
        sys.executable, "-m", "bot.content.quiet_rasa", str(settings.root), "train",
        "--config", str(settings.root / "config.yml"),
        "--domain", str(domain_dir(settings)),
        "--data", str(settings.root / "data"),
        "--out", str(models_dir(settings)),
        "--fixed-model-name", MODEL_NAME,
    ]
    if force:
        command.append("--force")
    result = subprocess.run(command, cwd=settings.root)
    if result.returncode != 0 or not model_path(settings).exists():
        raise SystemExit(f"train: rasa train failed (exit code {result.returncode}); see its output above")
    _stamp_path(settings).write_text(expected)
    return True
