"""Resident memory of a process that assesses pasted junk (run by hand; reports, never asserts).

    .venv/bin/python -m tests.safety.measure_vocabulary

Why: spaCy keeps every string it sees, so 100 kB messages of distinct random words grew the web app
without bound; the tokeniser now renews its vocabulary (``safety.matcher.Tokeniser``, ``VOCAB_LIMIT``). A
bare process builds the engine, assesses one short message, then 30 messages of 100 kB of distinct random
words (an embedding passed, so no MiniLM session), and prints the growth of its RSS after every 10 (after
``gc.collect()``), the tokeniser's strings and its renewals. To compare with another checkout, run it with
that checkout's directory first on PYTHONPATH (its ``safety/`` is then imported instead).
"""
from __future__ import annotations

import gc
import json
import random
import string

import numpy as np
import psutil

from safety.engine import get_engine


def junk(rnd: random.Random, size: int = 100_000) -> str:
    words, length = [], 0
    while length < size:
        word = "".join(rnd.choice(string.ascii_lowercase) for _ in range(rnd.randint(3, 10)))
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[:size]


def main() -> dict:
    engine = get_engine()
    vector = np.ones(384, dtype=np.float32) / np.sqrt(384)
    engine.assess("i feel a bit low today", vector)
    process, rnd = psutil.Process(), random.Random(7)
    texts = [junk(rnd) for _ in range(30)]
    gc.collect()
    base, growth = process.memory_info().rss, {}
    for number, text in enumerate(texts, start=1):
        engine.assess(text, vector)
        if number % 10 == 0:
            gc.collect()
            growth[number] = round((process.memory_info().rss - base) / 2**20, 1)
    tokeniser = engine.tokenise
    vocab = getattr(tokeniser, "vocab", engine.nlp.vocab)  # (an older checkout tokenises into the pipeline's)
    return {"rss_growth_mb_after_messages": growth, "strings": len(vocab.strings),
            "renewals": getattr(tokeniser, "renewals", None)}


if __name__ == "__main__":
    print(json.dumps(main()))
