"""NLU examples too close to text kept out of training: the held-out file, the safety corpus, blind sets.

    python -m bot.content.near_duplicates [--since REV] [--threshold 0.6]

Why: an example that copies or closely paraphrases a held-out or blind message makes those sets measure
memory instead of understanding (README, "Intent accuracy": new examples must stay below a token overlap
of 0.6 of them). Token overlap here is the Jaccard index of the two messages' lowercased word sets, the
simple measure the earlier passes used; 0.6 catches a copy with a word or two changed.

With ``--since REV`` only example lines added since that git revision are checked (a new batch of
examples), otherwise every example. A finding names our example's file and line, the score and the
reference file, never the reference text: blind sets stay unread by people (tests/safety/blind/README.md).
One blind file is never opened at all, even by this check (``NEVER_READ``). Exit code 1 when anything is found.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Iterable, Iterator, Optional

from bot.content.findings import Finding, relative

ROOT = Path(__file__).resolve().parent.parent.parent
NLU_DIR = ROOT / "data" / "nlu"
HOLDOUT = ROOT / "tests" / "test_nlu_holdout.yml"
SAFETY_CORPUS = ROOT / "tests" / "safety" / "corpus"
BLIND = ROOT / "tests" / "safety" / "blind"
#: kept unread by every helper and tool (the blind sets nobody has tuned on yet, and their first runs)
NEVER_READ = frozenset({"blind-2026-12-08.jsonl", "FIRST-RUN.md"})
THRESHOLD = 0.6
_WORD = re.compile(r"[a-z0-9']+")
_EXAMPLE = re.compile(r"^\s*- (.+?)\s*$")
_ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}")


def words(text: str) -> frozenset[str]:
    """Lowercased word set, apostrophes kept inside words ("don't" stays one word)."""
    return frozenset(_WORD.findall(text.lower().replace("\u2019", "'")))


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard index of two word sets (0 when either is empty)."""
    return len(a & b) / len(a | b) if a and b else 0.0


def plain(example: str) -> str:
    """An NLU example without its entity annotations: "[sad](emotion) today" -> "sad today"."""
    return _ANNOTATION.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), example)


def nlu_examples(paths: Iterable[Path]) -> Iterator[tuple[Path, int, str]]:
    """(file, 1-based line, example text) for every "- example" line inside an examples block."""
    for path in paths:
        inside = False
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip().startswith("examples:"):
                inside = True
                continue
            if inside and not line.startswith("    "):
                inside = False
            match = _EXAMPLE.match(line) if inside else None
            if match:
                yield path, number, plain(match.group(1))


def reference_texts(root: Path = ROOT) -> Iterator[tuple[str, str]]:
    """(source file, text) of everything kept out of training; NEVER_READ files are skipped unopened."""
    holdout = root / HOLDOUT.relative_to(ROOT)
    if holdout.is_file():
        for _, _, text in nlu_examples([holdout]):
            yield relative(holdout, root), text
    for folder in (root / SAFETY_CORPUS.relative_to(ROOT), root / BLIND.relative_to(ROOT)):
        for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
            if path.name in NEVER_READ:
                continue
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    yield relative(path, root), json.loads(line)["text"]


def added_lines(since: str, root: Path = ROOT) -> dict[Path, set[int]]:
    """Line numbers in data/nlu/ added since the git revision ``since`` (new file: every line)."""
    diff = subprocess.run(["git", "diff", "-U0", since, "--", "data/nlu"], cwd=root, capture_output=True,
                          text=True, check=True).stdout
    added: dict[Path, set[int]] = {}
    current: Optional[Path] = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            current = None if line.endswith("/dev/null") else root / line[6:]
        elif line.startswith("@@") and current is not None:
            start, _, count = re.match(r"@@ -\S+ \+(\d+)(,(\d+))? @@", line).groups()  # type: ignore[union-attr]
            n = 1 if count is None else int(count)
            added.setdefault(current, set()).update(range(int(start), int(start) + n))
    return added


def find(threshold: float = THRESHOLD, since: Optional[str] = None, root: Path = ROOT) -> list[Finding]:
    """Our examples whose word overlap with any reference text reaches ``threshold`` (the closest one named)."""
    references = [(source, words(text)) for source, text in reference_texts(root)]
    only = added_lines(since, root) if since else None
    files = sorted((root / NLU_DIR.relative_to(ROOT)).rglob("*.yml"))
    findings = []
    for path, number, text in nlu_examples(files):
        if only is not None and number not in only.get(path, ()):
            continue
        mine = words(text)
        score, source = max(((overlap(mine, ref), src) for src, ref in references), default=(0.0, ""))
        if score >= threshold:
            findings.append(Finding(relative(path, root), number, f"token overlap {score:.2f} with a line of {source}"))
    return findings


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.content.near_duplicates", description=__doc__.splitlines()[0])
    parser.add_argument("--since", help="check only example lines added since this git revision (e.g. main)")
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    args = parser.parse_args(argv)
    findings = find(args.threshold, args.since)
    for finding in findings:
        print(finding)
    print(f"{len(findings)} example(s) at a token overlap of {args.threshold} or more", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
