"""The committed risk model: its card tells the truth about the file, and it changes what people meet."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from safety import assess
from safety.assessment import MODEL_CATEGORY, Kind
from safety.risk_model import CARD_PATH, RiskModel, RiskModelError, sha256_of


@pytest.fixture(scope="module")
def card() -> dict:
    return json.loads(CARD_PATH.read_text(encoding="utf-8"))


def test_card_describes_the_committed_file(card):
    weights = CARD_PATH.parent / card["weights"]["file"]
    assert sha256_of(weights) == card["weights"]["sha256"]
    assert weights.stat().st_size == card["weights"]["bytes"] < 5_000_000, "keep the model small"
    for section in ("trained", "data", "features", "thresholds", "cross_validated", "leave_one_source_out"):
        assert card[section], f"the card has no {section}"
    for band in ("short", "long"):
        t = card["thresholds"][band]
        assert 0 <= t["veto"] < t["check_in"] <= t["crisis"] < 1 and 0 < t["confirm"] <= t["crisis"], band
    assert (CARD_PATH.parent / "CARD.md").read_text(encoding="utf-8").count(card["weights"]["sha256"]) == 1


def test_rules_and_model_together_beat_the_rules_alone_out_of_sample(card):
    """Cross-validated: more risk reaches the crisis reply, and fewer harmless messages page staff."""
    both, rules = card["cross_validated"]["rules_and_model"], card["cross_validated"]["rules_only"]
    assert both["risk:all"]["escalated"] > rules["risk:all"]["escalated"]
    assert both["nonrisk:all"]["escalated"] <= rules["nonrisk:all"]["escalated"]
    assert both["nonrisk_hard:all"]["escalated"] < rules["nonrisk_hard:all"]["escalated"] / 2


def test_an_altered_weights_file_is_refused(tmp_path, card):
    shutil.copytree(CARD_PATH.parent, tmp_path / "model")
    weights = tmp_path / "model" / card["weights"]["file"]
    weights.write_bytes(weights.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(RiskModelError, match="changed without retraining"):
        RiskModel.load(tmp_path / "model" / CARD_PATH.name)


def test_missing_weights_name_the_command_that_rebuilds_them(tmp_path, card):
    shutil.copytree(CARD_PATH.parent, tmp_path / "model")
    (tmp_path / "model" / card["weights"]["file"]).unlink()
    with pytest.raises(RiskModelError, match="make safety-model"):
        RiskModel.load(tmp_path / "model" / CARD_PATH.name)


# Plain first-person paraphrases that no rule was written for (issue 8's examples).
PARAPHRASES = [
    "please let me die",
    "I no longer want to be alive",
    "I don't want to go on living anymore",
    "why can't I just die",
    "I keep thinking about making a noose",
    "I fantasise about pulling the trigger",
]


@pytest.mark.parametrize("text", PARAPHRASES)
def test_plain_paraphrases_of_risk_escalate(text):
    assert assess(text).escalate, text


# One keyword about things, news and fiction: the model keeps these from paging staff.
FIGURATIVE = [
    "that transfer policy is suicidal",
    "a suicidal move by the government",
    "the character is a bit suicidal",
    "Teen dies by suicide after years of bullying, school under review",
    "Suicide rates among men rose again last year, new figures show",
]


@pytest.mark.parametrize("text", FIGURATIVE)
def test_keywords_about_things_and_news_do_not_escalate(text):
    assert not assess(text).escalate, text


def test_explicit_first_person_phrases_and_emergencies_stay_with_the_rules():
    assert assess("i'm suicidal").escalate
    assert assess("i took 30 pills an hour ago").kind is Kind.EMERGENCY


def test_a_model_verdict_names_what_it_read_without_a_score():
    result = assess("i just want everything to stop. forever")  # no rule: the model decides
    assert result.kind in (Kind.CHECK_IN, Kind.CRISIS) and MODEL_CATEGORY in result.categories
    assert result.spans[-1].rule_id == "risk_model"
    assert "score" not in json.dumps(result.to_dict()) and "prob" not in json.dumps(result.to_dict())


def test_a_given_embedding_gives_the_same_verdict_as_a_computed_one():
    from safety.embedding import embed

    for text in [*PARAPHRASES, *FIGURATIVE, "i had a rough day at work"]:
        assert assess(text, np.asarray(embed(text))).kind is assess(text).kind


def _feature_texts() -> list[str]:
    from tests.safety.conftest import read_corpus

    rows = read_corpus("risk.jsonl") + read_corpus("nonrisk.jsonl")
    return [row["text"] for row in rows] + [
        "", " ", "a", "ok", "été  très\tbien", "x" * 3000, "!!! ??? ...", "i\n\n\tam   here", "🔪💊 k1ll mys3lf",
        " ".join(row["text"] for row in rows[:80]),
    ]


def test_the_features_are_scikit_learns_value_for_value():
    """The model reads the hashed n-grams it was trained on: its own hashing (no scikit-learn or SciPy in the
    web app) gives the rows of scikit-learn's HashingVectorizer, same indices, same float32 values."""
    from safety.risk_model import get_model, prepare

    spec = get_model().spec
    chars, words = spec.vectorizers()
    for text in _feature_texts():
        prepared = prepare(text[: spec.max_chars])
        char_idx, char_val, word_idx, word_val = spec.features(prepared)
        x_chars, x_words = chars.transform([prepared]), words.transform([prepared])
        assert np.array_equal(char_idx, x_chars.indices) and np.array_equal(word_idx, x_words.indices), text[:80]
        assert char_val.dtype == x_chars.data.dtype == np.float32
        assert np.array_equal(char_val, x_chars.data) and np.array_equal(word_val, x_words.data), text[:80]


def test_the_training_matrix_is_scikit_learns():
    from scipy.sparse import csr_matrix, hstack

    from safety.risk_model import get_model, prepare

    spec = get_model().spec
    texts = _feature_texts()[:300]
    embeddings = np.random.default_rng(3).normal(size=(len(texts), 384)).astype(np.float32)
    chars, words = spec.vectorizers()
    prepared = [prepare(t[: spec.max_chars]) for t in texts]
    expected = hstack([chars.transform(prepared), words.transform(prepared), csr_matrix(embeddings)], format="csr")
    ours = spec.transform(texts, embeddings)
    assert ours.shape == expected.shape and (ours != expected).nnz == 0


def test_the_web_app_path_does_not_import_scikit_learn_or_scipy():
    """What the gateway runs (safety.assess with the model) needs neither: ~45 MB of the web app's memory."""
    import subprocess
    import sys

    code = ("import sys; sys.modules.setdefault('tensorflow', None)\n"
            "import numpy as np\n"
            "from safety import assess\n"
            "assess('i feel a bit low today and work was long', np.zeros(384, np.float32))\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'scipy'}))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout


def test_a_rule_that_asks_and_a_model_that_agrees_escalate_together():
    """Two kinds of evidence: a rule that alone earns the question ("tonights the night", "i'm on the
    bridge") and the model at its confirm_check_in cut-off. Either alone stays a question."""
    from safety.risk_model import Thresholds

    t = Thresholds(crisis=0.95, confirm=0.5, check_in=0.6, veto=0.03, ask=0.1, confirm_check_in=0.7)  # a long band
    assert t.decide(0.75, weak_hit=False, rule_asks=True) == (Kind.CRISIS, False)
    assert t.decide(0.75, weak_hit=False, rule_asks=False) == (Kind.CHECK_IN, False)
    assert t.decide(0.65, weak_hit=False, rule_asks=True) == (Kind.CHECK_IN, False)


def test_a_card_without_confirm_check_in_keeps_it_off():
    from safety.risk_model import OFF, Thresholds

    t = Thresholds.from_dict({"crisis": 0.95, "confirm": 0.5, "check_in": 0.6})
    assert t.confirm_check_in == OFF > 1
    assert t.decide(0.94, weak_hit=False, rule_asks=True)[0] is Kind.CHECK_IN  # below crisis: only the question


def test_only_a_plain_check_in_rule_counts_as_asking():
    """A negated phrase or a figure of speech never becomes a crisis through the model's agreement."""
    from safety.engine import get_engine

    engine = get_engine()
    assert engine.rule_view("tonights the night").asks
    assert not engine.rule_view("i would never kill myself").asks
    assert not engine.rule_view("my mum is going to kill me when she sees my grades").asks
    assert not engine.rule_view("i had a nice day").asks
    assert not engine.rule_view("my brother killed himself last year").asks, "bereavement stays a caring question"
