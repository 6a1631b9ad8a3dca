"""The report's parsing and page, on small result files (the Rasa runs themselves are `make report`)."""
from __future__ import annotations

import json

from bot.content import report


def _nlu_results(out):
    out.mkdir(parents=True)
    (out / "intent_report.json").write_text(json.dumps({
        "greet": {"precision": 1.0, "recall": 0.9, "f1-score": 0.947, "support": 20, "confused_with": {"thank": 2}},
        "mood_low": {"precision": 0.5, "recall": 0.6, "f1-score": 0.545, "support": 15,
                     "confused_with": {"<script>alert(1)</script>": 3}},
        "accuracy": 0.8,
        "macro avg": {"precision": 0.75, "recall": 0.75, "f1-score": 0.746, "support": 35},
        "weighted avg": {"precision": 0.8, "recall": 0.8, "f1-score": 0.8, "support": 35},
    }))
    (out / "intent_errors.json").write_text(json.dumps([
        {"text": "feeling blah", "intent": "mood_low", "intent_prediction": {"name": "mood_numb", "confidence": 0.4}},
        {"text": "so down <b>", "intent": "mood_low", "intent_prediction": {"name": "mood_numb", "confidence": 0.6}},
        {"text": "hey thanks", "intent": "greet", "intent_prediction": {"name": "thank", "confidence": 0.5}},
    ]))


def test_read_nlu_results_orders_by_f1_and_pairs_confusions(tmp_path):
    _nlu_results(tmp_path / "nlu")
    data = report.read_nlu_results(tmp_path / "nlu")
    assert [row["intent"] for row in data["intents"]] == ["mood_low", "greet"]
    assert data["macro_f1"] == 0.746 and data["accuracy"] == 0.8 and data["errors"] == 3
    top = data["confusions"][0]
    assert (top["intent"], top["predicted"], top["count"]) == ("mood_low", "mood_numb", 2)
    assert [e["text"] for e in top["examples"]] == ["so down <b>", "feeling blah"]  # most confident first
    assert data["matrix"] is None


def test_page_is_rendered_and_escaped(tmp_path):
    _nlu_results(tmp_path / "nlu")
    nlu = report.Section("Intent classification", data=report.read_nlu_results(tmp_path / "nlu"))
    checks = report.Section("Content checks", status="problems", note="1 lint finding(s)",
                            data={"findings": ["domain.yml:3: utter_x <bad>"], "contract": []})
    conversations = report.Section("Conversation tests", status="not run", note="no tests/test_stories yet")
    safety = [report.Section("Safety corpus: risk.jsonl", data={"table": [("recall", "0.98")], "text": "{}"})]
    graph = report.Section("Story graph", data={"link": "graph.html"})
    out = tmp_path / "index.html"
    report.render({"generated": "now", "revision": "abc", "seconds": 1, "checks": checks, "nlu": nlu,
                   "conversations": conversations, "safety": safety, "graph": graph}, out)
    html = out.read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "so down &lt;b&gt;" in html
    assert "domain.yml:3: utter_x &lt;bad&gt;" in html
    assert "macro-F1 0.75" in html
    assert "no tests/test_stories yet" in html
    assert '<a href="graph.html">' in html
    assert "<th>recall</th><td>0.98</td>" in html


def test_safety_output_as_table():
    assert report._as_table('log line\n{"recall": 0.97, "n": 120}') == [("recall", "0.97"), ("n", "120")]
    assert report._as_table("plain text") is None


def test_each_intent_is_shown_beside_its_baseline_and_merged_intents_stay_visible(tmp_path):
    _nlu_results(tmp_path / "nlu")
    baseline = report.save_baseline(tmp_path / "nlu", tmp_path / "baseline.yml", revision="abc123")
    assert report.load_baseline(tmp_path / "baseline.yml") == baseline
    assert baseline["macro_f1"] == 0.746 and baseline["intents"]["mood_low"]["f1"] == 0.545

    # after a change: mood_low improved, greet got worse, and an intent of the baseline was merged away
    baseline["intents"]["mood_numb"] = {"precision": 0.6, "recall": 0.6, "f1": 0.6, "support": 12}
    baseline["intents"]["greet"]["f1"] = 0.99
    baseline["intents"]["mood_low"]["f1"] = 0.445
    data = report.read_nlu_results(tmp_path / "nlu")
    report.compare_with_baseline(data, baseline)
    rows = {row["intent"]: row for row in data["intents"]}
    assert round(rows["mood_low"]["delta"], 3) == 0.1 and round(rows["greet"]["delta"], 3) == -0.043
    assert [gone["intent"] for gone in data["gone"]] == ["mood_numb"]

    nlu = report.Section("Intent classification", data={**data, "folds": 5})
    out = tmp_path / "index.html"
    report.render({"generated": "now", "revision": "abc", "seconds": 1, "checks": report.Section("Content checks"),
                   "nlu": nlu, "conversations": report.Section("Conversation tests"), "safety": [],
                   "graph": report.Section("Story graph")}, out)
    html = out.read_text()
    assert "Before: macro-F1 0.75" in html and "revision abc123" in html and "(5 folds)" in html
    assert "+0.10" in html and "-0.04" in html
    assert "mood_numb <em>(no longer an intent)</em>" in html


def test_the_risk_family_is_left_out_of_the_ordinary_macro_f1():
    # the safety component decides these; the classifier's own intents are judged without them
    assert report.ordinary_macro_f1({"greet": 1.0, "mood_low": 0.8, "self_harm_urge": 0.0, "safety_crisis": 0.6}) == 0.9


def test_the_committed_baseline_is_the_readme_figure():
    baseline = report.load_baseline()
    assert baseline["folds"] == report.NLU_FOLDS == 5
    assert round(baseline["macro_f1"], 2) == 0.86
    assert all({"precision", "recall", "f1", "support"} <= set(values) for values in baseline["intents"].values())


def test_a_seed_gives_the_same_folds_on_every_run_and_none_leaves_rasas_command(tmp_path):
    from bot.content.seeded_rasa import seed_stratified_folds

    assert report.nlu_command(tmp_path)[1:5] == ["-m", "bot.content.seeded_rasa", "--test-folds-only", "test"]
    assert report.nlu_command(tmp_path, seed=2)[1:6] == ["-m", "bot.content.seeded_rasa", "--seed", "2",
                                                        "--test-folds-only"]

    import numpy as np
    import sklearn.model_selection as model_selection

    original = model_selection.StratifiedKFold
    labels = np.array([0] * 10 + [1] * 10)
    try:
        def folds():
            splitter = model_selection.StratifiedKFold(n_splits=5, shuffle=True)  # as rasa.nlu.test draws them
            return [test.tolist() for _, test in splitter.split(np.zeros(len(labels)), labels)]

        seed_stratified_folds(1)
        first = folds()
        assert folds() == first
        seed_stratified_folds(2)
        assert folds() != first
    finally:
        model_selection.StratifiedKFold = original


def test_test_folds_only_skips_the_training_split_and_keeps_the_test_split(monkeypatch):
    import asyncio

    import rasa.nlu.test as nlu_test
    from bot.content import seeded_rasa
    from bot.content.seeded_rasa import skip_training_split_evaluation

    seeded_rasa.check_rasa()  # the reviewed Rasa; then a recording stand-in for its combine_result
    monkeypatch.setattr(seeded_rasa, "check_rasa", lambda: None)

    original = nlu_test.combine_result
    calls = []

    async def recording(*args):
        calls.append(args)
        return args[:3]

    try:
        nlu_test.combine_result = recording
        skip_training_split_evaluation()
        skip_training_split_evaluation()  # twice: still one layer around Rasa's function
        assert asyncio.run(nlu_test.combine_result({}, {}, {}, "processor", "train")) == ({}, {}, {})
        assert calls == []
        results: list = []
        asyncio.run(nlu_test.combine_result({}, {}, {}, "processor", "test", results, [], []))
        assert calls == [({}, {}, {}, "processor", "test", results, [], [])]
    finally:
        nlu_test.combine_result = original
