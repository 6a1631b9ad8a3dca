"""The evaluation CLI: text report, --json, clear errors for bad input."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from safety.errors import CorpusError
from safety.evaluate import evaluate, load_jsonl, main

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, lines: list) -> Path:
    path = tmp_path / "eval.jsonl"
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return path


SAMPLE = [
    {"text": "i want to kill myself", "label": "risk", "category": "active_ideation"},
    {"text": "i'd rather be anywhere else lol", "label": "risk", "category": "passive_ideation"},
    {"text": "this traffic is killing me", "label": "nonrisk"},
    {"text": "i feel like a burden", "label": "nonrisk"},
    {"text": "i wish i was dead", "label": "nonrisk"},
]


def test_text_report_lists_recall_misses_false_alarms_and_check_ins(tmp_path, capsys):
    assert main([str(write(tmp_path, SAMPLE))]) == 0
    out = capsys.readouterr().out
    assert "recall:            50.00%" in out
    assert "false-positive rate: 33.33%" in out
    assert "i'd rather be anywhere else lol" in out.split("misses (1):")[1]
    assert "i wish i was dead" in out.split("false alarms (1):")[1]
    assert "i feel like a burden" in out.split("check-ins on nonrisk (1):")[1]
    assert "active_ideation" in out


def test_json_output_is_one_object(tmp_path, capsys):
    assert main([str(write(tmp_path, SAMPLE)), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    per_source = data.pop("per_source")
    assert data == {"recall": 0.5, "fpr": 0.3333, "n_risk": 2, "n_nonrisk": 3}
    assert per_source == {"eval (nonrisk)": {"label": "nonrisk", "n": 3, "escalated": 0.3333, "check_in": 0.3333},
                          "eval (risk)": {"label": "risk", "n": 2, "escalated": 0.5, "check_in": 0.0}}


def test_figures_are_reported_per_source_and_hard_negatives_count_as_non_risk(tmp_path, capsys):
    path = write(tmp_path, [{"text": "i want to kill myself", "label": "risk", "source": "forum"},
                            {"text": "this traffic is killing me", "label": "nonrisk_hard", "source": "idioms"}])
    assert main([str(path)]) == 0
    out = capsys.readouterr().out
    assert "forum (risk)" in out and "idioms (nonrisk_hard)" in out and "false-positive rate: 0.00%" in out


@pytest.mark.parametrize("bad, problem", [
    ("{not json", "not valid JSON"),
    ('{"text": "x", "label": "maybe"}', "'label' must be one of"),
    ('{"label": "risk"}', "'text' must be a string"),
    ('["a list"]', "expected a JSON object"),
])
def test_bad_line_reports_file_and_line_number(tmp_path, capsys, bad, problem):
    path = write(tmp_path, [SAMPLE[0], bad])
    assert main([str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: line 2: {problem}" in err


def test_load_jsonl_raises_corpus_error(tmp_path):
    with pytest.raises(CorpusError, match="line 1"):
        load_jsonl(write(tmp_path, ["{oops"]))


def test_check_in_on_risk_is_a_miss_and_on_nonrisk_is_not_a_false_alarm(tmp_path):
    report = evaluate(load_jsonl(write(tmp_path, [
        {"text": "i can't do this anymore", "label": "risk"},
        {"text": "i can't do this anymore", "label": "nonrisk"},
    ])))
    assert report.recall == 0 and report.fpr == 0 and len(report.check_ins) == 1


def test_cli_runs_as_a_module(tmp_path):
    path = write(tmp_path, SAMPLE[:1])
    proc = subprocess.run([sys.executable, "-m", "safety.evaluate", str(path), "--json"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1])["recall"] == 1.0
