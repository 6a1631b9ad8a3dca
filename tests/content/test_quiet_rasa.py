"""`bot validate` shows Rasa's warnings a designer must act on, and holds back only those the content
rules explain (responses said by actions/ code, intents the pipeline sets, library deprecations)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from bot.build import build, domain_dir
from bot.content.lint import content_rules
from bot.content.project import load_project
from bot.content.quiet_rasa import explainer
from bot.settings import load_settings
from tests.content.conftest import REPO


def test_only_warnings_the_content_rules_explain_are_held_back():
    explain = explainer(load_project(REPO), content_rules())
    assert explain("The utterance 'utter_reflect_grief_more' is not used in any story or rule.")
    assert explain("The intent 'safety_abuse' is listed in the domain file, but is not found in the NLU training data.")
    assert explain("The utterance 'utter_nobody_says_this' is not used in any story or rule.") is None
    assert explain("The intent 'greet' is listed in the domain file, but is not found in the NLU training data.") is None
    assert explain("The intent 'greet' is not used in any story or rule.") is None


def test_a_response_nothing_says_is_still_shown(tmp_path: Path):
    settings = load_settings()
    build(settings)
    domain = shutil.copytree(domain_dir(settings), tmp_path / "domain")
    (domain / "orphan.yml").write_text(
        'version: "3.1"\nresponses:\n  utter_orphan_for_test:\n    - text: "Nothing says this."\n')
    result = subprocess.run(
        [sys.executable, "-m", "bot.content.quiet_rasa", str(REPO), "data", "validate", "--fail-on-warnings",
         "--config", str(REPO / "config.yml"), "--domain", str(domain), "--data", str(REPO / "data")],
        capture_output=True, text=True, cwd=REPO)
    output = result.stdout + result.stderr
    assert "The utterance 'utter_orphan_for_test' is not used in any story or rule." in output
    assert "utter_reflect_grief_more" not in output
    assert "expected warning(s) not shown" in output
