"""Compare this checkout's ``safety.assess`` with another checkout's, text by text (run by hand).

    git worktree add /tmp/main main            # or any other checkout
    .venv/bin/python -m tests.safety.compare_engines /tmp/main

Why: a speed-up of ``assess`` must not change what it says. Every text of tests/safety (corpus and blind
sets), every rule example, long mixes of them (5 to 100 kB, upper-cased, joined by spaces, newlines and
double spaces), random corpus words, the benchmark's adversarial units at three lengths and random
characters, and risk sentences buried at the start, middle or end of 100 kB of ordinary text go through
both engines (the other checkout's ``safety/`` is loaded under another package name), with the same
embedding passed (every 15th text also without one), and ``assess_detail`` (the assessment's ``to_dict``,
the rules' view, the model's probability) and ``rule_hits`` are compared field by field. Prints the
differences and exits 1 if there is any. Not a pytest test: it needs the other checkout, and takes a few
minutes. Blind sets are named one by one (READ_BLIND_SETS), never globbed.
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
# The blind sets that have been read already, named one by one: a glob would also read a blind set while it is
# still being written (a set nobody may open before it is evaluated once). Add a set here once it has been read.
READ_BLIND_SETS = ("blind-2026-12-02.jsonl", "blind-2026-12-03.jsonl", "blind-2026-12-03b.jsonl",
                   "blind-2026-12-04.jsonl", "blind-2026-12-04b.jsonl", "blind-2026-12-04c.jsonl")
# Risk sentences buried in ordinary text (start, middle, end of 100 kB): a speed-up that looks at only
# part of a long text must still find them, with the context around them.
BURIED = ("i want to kill myself tonight", "i took all my pills an hour ago", "he said he is going to end it all",
          "i don't want to die but i can't go on", "my dad hits me every night", "i have a rope and a plan")


def buried(nonrisk: list[str], rnd: random.Random) -> list[str]:
    """100 kB of ordinary messages with one risk sentence at the start, the middle or the end, in a sentence
    of its own or run into its neighbours; ordinary text with a risk sentence every 2 kB; no spaces at all.

    Ordinary: the corpus's non-risk messages in which no risk rule and no idiom matches (pasted together,
    the rest escalate: they are near misses by design), so the one buried sentence is all there is to find."""
    engine = here.get_engine()

    def quiet(text: str) -> bool:
        tokens = engine.tokenise(engine.normaliser(here._tokeniser_safe(text)).text)
        return not engine.risk(tokens) and not engine.idioms(tokens)

    ordinary = [text for text in nonrisk if quiet(text)]
    filler = _long_message(100_000, rnd.sample(ordinary, len(ordinary)))
    out = []
    for risk in BURIED:
        for at in (0, len(filler) // 2, len(filler) - 1):
            for joint in (". ", " ", "\n"):
                out.append(filler[:at] + joint + risk + joint + filler[at:])
    out.append("".join(filler[i:i + 2000] + ". " + rnd.choice(BURIED) + ". " for i in range(0, len(filler), 2000)))
    out.append(filler.replace(" ", "")[:100_000])  # no spaces at all
    out.append(filler.replace(" ", "")[:50_000] + " i want to kill myself " + filler.replace(" ", "")[:50_000])
    return out


def texts() -> tuple[list[str], list[str]]:
    """(short texts, long and adversarial texts), the same every run."""
    short = []
    for name in sorted(glob.glob(str(ROOT / "tests/safety/corpus/*.jsonl"))) + [str(ROOT / "tests/safety/blind" / n) for n in READ_BLIND_SETS]:
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
    nonrisk = [json.loads(line)["text"] for line in (ROOT / "tests/safety/corpus/nonrisk.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    long += buried(nonrisk, random.Random(12))  # its own generator: the texts above stay as they were
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
            if [(h.rule.id, h.start, h.end, h.kind.value, h.weak) for h in theirs.rule_hits(text)] != \
                    [(h.rule.id, h.start, h.end, h.kind.value, h.weak) for h in mine.rule_hits(text)]:
                bad += 1
                print(f"DIFFERENT rule_hits (text {i}, {len(text)} characters)")
    print(f"{len(all_texts)} texts ({len(short)} short, {len(long)} long): {bad} differences, {time.time() - started:.0f} s")
    shutil.rmtree(tmp, ignore_errors=True)
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
