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
