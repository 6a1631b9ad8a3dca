"""The `bot` command line as a content designer or operator types it."""
from __future__ import annotations

import pytest

from bot.cli import main


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_safety_eval_help_is_its_own_usage(flag, capsys):
    """`bot safety-eval -h` is what `bot --help` tells people to type; it must show the evaluator's options."""
    with pytest.raises(SystemExit) as exit_:
        main(["safety-eval", flag])
    assert exit_.value.code == 0
    usage = capsys.readouterr().out
    assert "--model" in usage and "--json" in usage


def test_the_reconciler_loop_stops_on_sigterm(tmp_path):
    """`bot escalations sync --every N` runs until the service manager stops it, then exits 0."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    bot = Path(sys.executable).with_name("bot")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}"}
    reconciler = subprocess.Popen([str(bot), "escalations", "sync", "--every", "0.05"], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert reconciler.stdout.readline().startswith("reconciler: checking the tracker store every")
        for _ in range(20):  # stops however the signal falls in its loop
            reconciler.send_signal(signal.SIGTERM)
        assert reconciler.wait(timeout=30) == 0
    finally:
        reconciler.kill()
