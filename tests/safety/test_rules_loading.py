"""Rule files are validated at load time with coded, located error messages."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from safety.engine import Engine
from safety.errors import Errors, RuleError
from safety.rules import load_ruleset


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_real_rules_load_and_cover_every_category():
    rs = load_ruleset()
    used = {r.category for r in rs.rules}
    assert used == set(rs.tunables.category_kind), set(rs.tunables.category_kind) - used


def test_unknown_category_names_file_rule_and_known_categories(rules_copy):
    append(rules_copy / "active_ideation.yml", """
  - id: test.bad_category
    category: sadness
    patterns: ["sad"]
    examples: {match: ["sad"]}
""")
    with pytest.raises(RuleError) as exc:
        load_ruleset(rules_copy)
    msg = str(exc.value)
    assert msg.startswith("[E005]") and "active_ideation.yml" in msg and "test.bad_category" in msg and "passive_ideation" in msg


def test_duplicate_id_is_rejected(rules_copy):
    append(rules_copy / "passive_ideation.yml", """
  - id: active.kill_self
    category: passive_ideation
    patterns: ["sad"]
    examples: {match: ["sad"]}
""")
    with pytest.raises(RuleError, match=r"\[E004\].*active\.kill_self.*active_ideation\.yml"):
        load_ruleset(rules_copy)


def test_missing_examples_are_rejected(rules_copy):
    append(rules_copy / "passive_ideation.yml", """
  - id: test.no_examples
    category: passive_ideation
    patterns: ["sad"]
""")
    with pytest.raises(RuleError, match=r"\[E010\].*test\.no_examples"):
        load_ruleset(rules_copy)


def test_unknown_field_is_rejected(rules_copy):
    append(rules_copy / "passive_ideation.yml", """
  - id: test.typo
    category: passive_ideation
    pattern: ["sad"]
    examples: {match: ["sad"]}
""")
    with pytest.raises(RuleError, match=r"\[E009\].*test\.typo.*pattern"):
        load_ruleset(rules_copy)


def test_an_idiom_may_cross_a_sentence_end_only_with_a_boolean_flag(rules_copy):
    append(rules_copy / "idioms.yml", """
  - id: idiom.test_crossing
    suppresses: [abuse_or_unsafe]
    crosses_breaks: "yes"
    patterns: ["=evicted =. =nowhere"]
    examples: {match: ["evicted. nowhere"]}
""")
    with pytest.raises(RuleError, match=r"\[E011\].*idiom\.test_crossing.*crosses_breaks"):
        load_ruleset(rules_copy)


def test_yaml_booleans_in_word_lists_get_a_helpful_error(rules_copy):
    lex = rules_copy / "lexicon.yml"
    lex.write_text(lex.read_text(encoding="utf-8").replace('"off"', "off"), encoding="utf-8")
    with pytest.raises(RuleError, match=r"\[E012\].*lexicon\.yml.*kill.*quote words"):
        load_ruleset(rules_copy)


def test_bad_yaml_names_the_file(rules_copy):
    (rules_copy / "eating_disorder.yml").write_text("rules: [\n  - id: x", encoding="utf-8")
    with pytest.raises(RuleError, match=r"\[E001\].*eating_disorder\.yml"):
        load_ruleset(rules_copy)


def test_bad_kind_in_tunables(rules_copy):
    t = rules_copy / "tunables.yml"
    t.write_text(t.read_text(encoding="utf-8").replace("attempt_in_progress: emergency", "attempt_in_progress: urgent"), encoding="utf-8")
    with pytest.raises(RuleError, match=r"\[E012\].*category_kind\.attempt_in_progress.*urgent"):
        load_ruleset(rules_copy)


@pytest.mark.parametrize("pattern, problem", [
    ("want to @nosuchset", "unknown word set '@nosuchset'"),
    ("want ~9 die", "between ~1 and ~6"),
    ("want?", "at least one required token"),
])
def test_bad_shorthand_pattern_names_rule_and_pattern_index(rules_copy, pattern, problem):
    append(rules_copy / "passive_ideation.yml", f"""
  - id: test.bad_pattern
    category: passive_ideation
    patterns: ["sad", "{pattern}"]
    examples: {{match: ["sad"]}}
""")
    with pytest.raises(RuleError) as exc:
        Engine(load_ruleset(rules_copy))
    msg = str(exc.value)
    assert msg.startswith("[E008]") and "test.bad_pattern" in msg and "pattern #1" in msg and problem in msg


def test_bad_raw_spacy_pattern_is_reported(rules_copy):
    append(rules_copy / "passive_ideation.yml", """
  - id: test.bad_raw
    category: passive_ideation
    patterns:
      - [{LEMMA: sad, NOSUCHATTR: 1}]
    examples: {match: ["sad"]}
""")
    with pytest.raises(RuleError, match=r"\[E008\].*test\.bad_raw.*pattern #0"):
        Engine(load_ruleset(rules_copy))


@pytest.mark.parametrize("pattern, problem", [
    ("[{IS_PUNCT: true}]", "IS_PUNCT is not supported"),
    ("[{TEXT: kill}]", "TEXT is not supported"),
    ("[{LENGTH: {\">=\": 3}}]", "LENGTH is not supported"),
])
def test_a_valid_spacy_pattern_the_matcher_does_not_evaluate_is_refused_at_load(rules_copy, pattern, problem):
    """safety/matcher.py evaluates LEMMA, LOWER (equality, IN, NOT_IN, REGEX), LIKE_NUM and IS_SENT_START
    itself: anything else spaCy accepts must fail at load, never match differently at run time."""
    append(rules_copy / "passive_ideation.yml", f"""
  - id: test.unsupported
    category: passive_ideation
    patterns:
      - {pattern}
    examples: {{match: ["sad"]}}
""")
    with pytest.raises(RuleError, match=r"\[E008\].*test\.unsupported.*pattern #0") as error:
        Engine(load_ruleset(rules_copy))
    assert problem in str(error.value)


def test_every_error_template_has_a_unique_code():
    codes = [name for name in vars(Errors) if re.fullmatch(r"E\d{3}", name)]
    assert len(codes) == len(set(codes)) and codes


def test_safety_imports_nothing_from_the_bot_or_rasa():
    """safety/ is a library: the gateway, the actions and evaluation use it without Rasa."""
    root = Path(__file__).resolve().parents[2] / "safety"
    offenders = []
    for path in root.rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.match(r"\s*(from|import)\s+(rasa|rasa_sdk|bot|actions)\b", line):
                offenders.append(f"{path.name}: {line.strip()}")
    assert not offenders, offenders
