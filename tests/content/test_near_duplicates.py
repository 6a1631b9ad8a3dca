"""bot.content.near_duplicates: new NLU examples must not copy held-out or blind text."""
from pathlib import Path

from bot.content import near_duplicates as nd


def test_overlap_is_the_jaccard_index_of_word_sets():
    assert nd.overlap(nd.words("I can't sleep at night"), nd.words("i can't sleep at night")) == 1.0
    assert nd.overlap(nd.words("cant sleep"), nd.words("cant sleep tonight")) == 2 / 3
    assert nd.overlap(nd.words(""), nd.words("hello")) == 0.0


def test_examples_are_read_without_entity_annotations(tmp_path):
    path = tmp_path / "x.yml"
    path.write_text('nlu:\n- intent: mood_low\n  examples: |\n    - im [sad](emotion) today\n    - ok\n'
                    '- regex: r\n  examples: |\n    - ^ok$\n', encoding="utf-8")
    found = list(nd.nlu_examples([path]))
    assert [(line, text) for _, line, text in found] == [(4, "im sad today"), (5, "ok"), (8, "^ok$")]


def _project(tmp_path: Path) -> Path:
    (tmp_path / "data" / "nlu").mkdir(parents=True)
    (tmp_path / "data" / "nlu" / "a.yml").write_text(
        "nlu:\n- intent: x\n  examples: |\n    - my cat keeps me awake every night\n    - what time do you open\n",
        encoding="utf-8")
    (tmp_path / "tests" / "safety" / "blind").mkdir(parents=True)
    (tmp_path / "tests" / "safety" / "blind" / "b.jsonl").write_text(
        '{"text": "my cat keeps me awake all night"}\n', encoding="utf-8")
    (tmp_path / "tests" / "safety" / "blind" / "blind-2026-12-08.jsonl").write_text("not json: never opened\n")
    return tmp_path


def test_a_close_copy_is_found_and_named_without_the_reference_text(tmp_path):
    root = _project(tmp_path)
    findings = nd.find(root=root)
    assert [(f.file, f.line) for f in findings] == [("data/nlu/a.yml", 4)]
    assert "awake" not in findings[0].problem and "b.jsonl" in findings[0].problem


def test_the_never_read_blind_file_is_skipped():
    assert "blind-2026-12-08.jsonl" in nd.NEVER_READ
