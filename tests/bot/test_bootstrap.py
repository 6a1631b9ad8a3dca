"""The setup script finds a Python 3.10 by itself, or stops at once saying how to get one."""
import shutil
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_without_any_python_3_10_setup_stops_within_seconds_and_says_how_to_get_one(tmp_path):
    project = tmp_path / "project"
    (project / "bot").mkdir(parents=True)
    shutil.copy(ROOT / "bot" / "bootstrap.sh", project / "bot" / "bootstrap.sh")
    # A machine without any Python 3.10, pyenv or $PYTHON: only the tools the script needs first.
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in ("dirname", "cat", "grep", "sort"):
        (tools / tool).symlink_to(shutil.which(tool))
    env = {"PATH": str(tools), "HOME": str(tmp_path / "home")}
    started = time.monotonic()
    result = subprocess.run([shutil.which("bash"), "bot/bootstrap.sh"], cwd=project, env=env, capture_output=True, text=True)
    assert time.monotonic() - started < 10
    assert result.returncode == 1
    assert "no Python 3.10 found" in result.stderr
    assert "pyenv install 3.10.13" in result.stderr
    assert "PYTHON=/path/to/python3.10" in result.stderr
    assert not (project / ".venv").exists()


def test_the_project_venv_runs_python_3_10():
    version = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-c",
                              "import sys; print(sys.version_info[:2])"], capture_output=True, text=True)
    assert version.stdout.strip() == "(3, 10)"
