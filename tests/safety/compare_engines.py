"""Compare this checkout's ``safety.assess`` with another checkout's, text by text (run by hand).

    git worktree add /tmp/main main            # or any other checkout
    .venv/bin/python -m tests.safety.compare_engines /tmp/main

Why: a speed-up of ``assess`` must not change what it says. Every text of tests/safety (corpus and blind
sets), every rule example, long mixes of them (5 to 100 kB, upper-cased, joined by spaces, newlines and
double spaces), random corpus words, the benchmark's adversarial units at three lengths and random
characters go through both engines (the other checkout's ``safety/`` is loaded under another package
name), with the same embedding passed (every 15th text also without one), and ``assess_detail`` (the
assessment's ``to_dict``, the rules' view, the model's probability) and ``rule_hits`` are compared field
by field. Prints the differences and exits 1 if there is any. Not a pytest test: it needs the other
checkout, and takes a minute or two.
"""
from __future__ import annotations

import glob
import importlib
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from safety import engine as here
from safety.bench import ADVERSARIAL, _corpus_texts, _long_message, _repeat
from safety.rules import RULES_DIR, iter_examples, load_ruleset

ROOT = Path(__file__).resolve().parents[2]


def texts() -> tuple[list[str], list[str]]:
    """(short texts, long and adversarial texts), the same every run."""
    short = []
    for name in sorted(glob.glob(str(ROOT / "tests/safety/corpus/*.jsonl")) + glob.glob(str(ROOT / "tests/safety/blind/*.jsonl"))):
        short += [json.loads(line)["text"] for line in Path(name).read_text(encoding="utf-8").splitlines() if line.strip()]
    ruleset = load_ruleset(RULES_DIR)
    short += [example for _, example, _ in iter_examples(list(ruleset.rules) + list(ruleset.idioms))]
    short = list(dict.fromkeys(short))
    corpus, rnd = _corpus_texts(), random.Random(11)
    long = [_long_message(n, corpus) for n in (5_000, 20_000, 50_000, 100_000)]
    long += [_long_message(100_000, corpus).upper(), " ".join(rnd.sample(short, 300)), "\n".join(rnd.sample(short, 600)),
             "  ".join(rnd.sample(short, 200))]
    words = " ".join(short).split()
    long += [" ".join(rnd.choice(words) for _ in range(rnd.choice([50, 500, 5000]))) for _ in range(6)]
    long += [_repeat(unit, n) for unit in ADVERSARIAL.values() for n in (300, 5_000, 30_000)]
    chars = "abcdefghijklmnopqrstuvwxyz '.,!?\n-\U0001f52a\U0001f48a\u0130\u2019 0123"
    long += ["".join(rnd.choice(chars) for _ in range(rnd.choice([20, 200, 2000]))) for _ in range(30)]
    return short, long


def _key(detail) -> tuple:
    view = detail.view
    hits = [(h.rule.id, h.start, h.end, h.category, h.kind.value, h.negated, h.signal, h.weak) for h in view.strong]
    return (json.dumps(detail.assessment.to_dict(), sort_keys=True), hits, view.strong_kind.value, view.has_weak,
            view.weak_kind.value, view.vetoable, view.negated, view.idiomatic, view.figurative, view.asks,
            detail.probability, detail.ask_floor)


def main(other: str) -> int:
    tmp = Path(tempfile.mkdtemp())
    shutil.copytree(Path(other) / "safety", tmp / "safety_reference")
    sys.path.insert(0, str(tmp))
    there = importlib.import_module("safety_reference.engine")
    mine, theirs = here.get_engine(), there.get_engine()
    short, long = texts()
    from safety.embedding import shared_encoder
    encoder, started, bad = shared_encoder(), time.time(), 0
    all_texts = short + long
    for first in range(0, len(all_texts), 64):
        batch = all_texts[first:first + 64]
        for i, (text, vector) in enumerate(zip(batch, encoder.encode(batch)[0]), start=first):
            for embedding in ((vector,) if i % 15 else (vector, None)):
                a, b = _key(theirs.assess_detail(text, embedding)), _key(mine.assess_detail(text, embedding))
                if a != b:
                    bad += 1
                    print(f"DIFFERENT (text {i}, {len(text)} characters)\n  other: {str(a)[:400]}\n  here:  {str(b)[:400]}")
            safe = here._tokeniser_safe(text)  # rule_hits takes the text as given (spaCy is quadratic on suffix runs)
            if [(h.rule.id, h.start, h.end, h.kind.value, h.weak) for h in theirs.rule_hits(safe)] != \
                    [(h.rule.id, h.start, h.end, h.kind.value, h.weak) for h in mine.rule_hits(safe)]:
                bad += 1
                print(f"DIFFERENT rule_hits (text {i}, {len(text)} characters)")
    print(f"{len(all_texts)} texts ({len(short)} short, {len(long)} long): {bad} differences, {time.time() - started:.0f} s")
    shutil.rmtree(tmp, ignore_errors=True)
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
