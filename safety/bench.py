"""Latency benchmark for :func:`safety.assess` (reports, never asserts).

    python -m safety.bench

Why: ``assess`` (rules and risk model) runs on every message, so it must stay
within a few milliseconds for a chat message beside the sentence embedding the
NLU pipeline already computes (which is timed separately: inside Rasa it is
computed once, for the intent classifier and the risk model together), and
grow linearly (not quadratically) with message length, so a pasted 100 kB
wall of text cannot stall the bot.
"""
from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Callable

from .embedding import shared_encoder
from .engine import assess, get_engine

CORPUS_DIR = Path(__file__).resolve().parent.parent / "tests" / "safety" / "corpus"

#: a realistic 400-character message with the risk in its last clause
MESSAGE_400 = (
    "so today was another long day, work was a mess and my manager yelled at me again in front "
    "of everyone, then the bus was late and i got soaked walking home, my flatmate ate my leftovers "
    "and i just sat on the kitchen floor for ages scrolling and thinking about how nothing ever "
    "changes no matter what i try, i'm so tired of pretending to be fine for everyone and honestly "
    "i don't want to be here anymore"
)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def _time(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _cpu(fn: Callable[[], object]) -> float:
    """CPU time of this thread: unlike wall time, not inflated by other processes
    competing for the machine's cores."""
    start = time.thread_time()
    fn()
    return time.thread_time() - start


def _corpus_texts() -> list[str]:
    texts = []
    for name in ("risk.jsonl", "nonrisk.jsonl"):
        path = CORPUS_DIR / name
        if path.exists():
            texts.extend(json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return texts or [MESSAGE_400]


def _long_message(chars: int, texts: list[str]) -> str:
    parts, size, i = [], 0, 0
    while size < chars:
        t = texts[i % len(texts)]
        parts.append(t)
        size += len(t) + 2
        i += 1
    return (". ".join(parts))[:chars]


#: long inputs built to stress one part each (tokeniser, normaliser, matcher, negation, spans), as the
#: gateway calls assess on them: without a precomputed embedding
ADVERSARIAL = {
    "no_spaces": "a",
    "ordinary_words": "so tired of everything today ",
    "risk_every_sentence": "i want to kill myself. ",
    "leetspeak_and_stretching": "k1ll mys3lf diiiiie ",
    "starred_words": "k*ll s*icidal f*ck so* 5* d**d x*yz ",  # censored words undone, swearing kept
    "negated_risk": "i don't want to die but ",
    "emoji": "\U0001f52a\U0001f48a ",
    "idioms": "this traffic is killing me ",
    "sign_offs": "ok bye thanks ",  # whole-message idioms: one pass over the tokens, not one per match
    "punctuation": "!?.,",
    "suffixes": "'s",  # like punctuation: a token spaCy splits suffix by suffix (quadratic before the cap)
    # matches nested in a carrier or in a recovered past, thousands of each (quadratic before session 19's bisect)
    "nested_matches": "i used to self harm. i have been well since my suicide attempt. ",
}


def _repeat(unit: str, chars: int) -> str:
    return (unit * (chars // len(unit) + 1))[:chars]


def adversarial(sizes: tuple[int, ...] = (50_000, 100_000)) -> dict:
    """CPU ms (best of two) of assess on each adversarial input at each size, and the growth ratio
    between the last two sizes (2.0 is linear for a doubling)."""
    get_engine()
    assess("warm up")
    out = {}
    for name, unit in ADVERSARIAL.items():
        times = [min(_cpu(lambda t=_repeat(unit, n): assess(t)) for _ in range(2)) * 1000 for n in sizes]
        out[name] = {**{f"{n // 1000}kB_ms": round(t, 1) for n, t in zip(sizes, times)},
                     "ratio": round(times[-1] / times[-2], 2) if times[-2] else None}
    return out


def run(iterations: int = 2000) -> dict:
    """Measure and return latencies in milliseconds (and the 100 kB / 50 kB ratio).

    Wall-clock percentiles include time stolen by other processes; the
    ``cpu`` figures (thread CPU time) are what the code itself costs.  Long
    messages are timed in CPU time, best of three (100 kB: best and median of five).
    """
    get_engine()  # build once, outside the timings
    encoder = shared_encoder()
    msg = MESSAGE_400[:400]
    vec = encoder.encode([msg])[0][0]
    for _ in range(50):
        assess(msg, vec)  # warm caches
    single = [_time(lambda: assess(msg, vec)) * 1000 for _ in range(iterations)]
    single_cpu = [_cpu(lambda: assess(msg, vec)) * 1000 for _ in range(iterations)]
    embedding_cpu = [_cpu(lambda: encoder.encode([msg])) * 1000 for _ in range(max(50, iterations // 20))]
    texts = _corpus_texts()
    vectors = encoder.encode(texts)[0]
    corpus = [_time(lambda t=t, v=v: assess(t, v)) * 1000 for t, v in zip(texts, vectors)]
    k50, k100 = _long_message(50_000, texts), _long_message(100_000, texts)
    v50, v100 = encoder.encode([k50, k100])[0]
    t50 = min(_cpu(lambda: assess(k50, v50)) for _ in range(3)) * 1000
    runs100 = [_cpu(lambda: assess(k100, v100)) * 1000 for _ in range(5)]
    t100 = min(runs100)
    return {
        "message_chars": len(msg),
        "message_p50_ms": round(statistics.median(single), 4),
        "message_p99_ms": round(_percentile(single, 99), 4),
        "message_cpu_p50_ms": round(statistics.median(single_cpu), 4),
        "message_cpu_p99_ms": round(_percentile(single_cpu, 99), 4),
        "embedding_cpu_p50_ms": round(statistics.median(embedding_cpu), 3),
        "corpus_messages": len(texts),
        "corpus_p50_ms": round(statistics.median(corpus), 4),
        "corpus_p99_ms": round(_percentile(corpus, 99), 4),
        "corpus_max_ms": round(max(corpus), 4),
        "long_50kB_ms": round(t50, 2),
        "long_100kB_ms": round(t100, 2),
        # issue 11's target: well under 50 ms of CPU (best of 5 above, their median here)
        "long_100kB_median_ms": round(statistics.median(runs100), 2),
        "ratio_100kB_over_50kB": round(t100 / t50, 2) if t50 else None,
        "adversarial_cpu_ms": adversarial(),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
