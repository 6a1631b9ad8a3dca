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
