"""The Rasa project as content designers change it: valid data, and every conversation test passing."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.build import endpoints_file
from bot.services import action_server
from bot.settings import load_settings
from bot.supervisor import Supervisor
from bot.training import model_path
from bot.supervisor import free_port

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def isolated_env(tmp_path_factory):
    var = tmp_path_factory.mktemp("rasa-project-var")
    return {**os.environ, "BOT_VAR_DIR": str(var), "BOT_ACTIONS_PORT": str(free_port()),
            "RASA_TELEMETRY_ENABLED": "false"}


def test_rasa_data_validate_fail_on_warnings_passes(isolated_env):
    result = subprocess.run([sys.executable, "-m", "bot.cli", "validate"], cwd=ROOT, env=isolated_env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


def test_every_conversation_test_story_passes(isolated_env, tmp_path):
    settings = load_settings(environ=isolated_env)
    subprocess.run([sys.executable, "-m", "bot.cli", "train"], cwd=ROOT, env=isolated_env, check=True)
    log = (tmp_path / "actions.log").open("wb")
    supervisor = Supervisor([action_server(settings)], cwd=str(ROOT), env=isolated_env, output=log)
    supervisor.start()
    try:
        supervisor.wait_until_ready()
        out = tmp_path / "results"
        result = subprocess.run(
            [sys.executable, "-m", "rasa", "test", "core", "--stories", str(ROOT / "tests" / "test_stories"),
             "--model", str(model_path(settings)), "--endpoints", str(endpoints_file(settings)),
             "--out", str(out), "--fail-on-prediction-errors"],
            cwd=ROOT, env=isolated_env, capture_output=True, text=True,
        )
    finally:
        supervisor.stop()
        log.close()
    failed = (out / "failed_test_stories.yml")
    details = failed.read_text() if failed.exists() else result.stdout[-3000:] + result.stderr[-3000:]
    assert result.returncode == 0, f"conversation tests failed:\n{details}"
    report = json.loads((out / "story_report.json").read_text())
    assert report["conversation_accuracy"]["accuracy"] == 1.0, details
