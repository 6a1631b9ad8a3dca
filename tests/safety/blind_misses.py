"""A read set's misses, per category: risk lines not escalated and non-risk lines escalated, with explain().

    PYTHONPATH=. python tests/safety/blind_misses.py tests/safety/blind/blind-2026-12-07g.jsonl [-q]

For tuning on a blind set that has been opened as a read set (set 20 for the twenty-second pass). The sets nobody may
read yet (bot/content/near_duplicates.py's NEVER_READ) are refused unopened. The figures are safety.evaluate's; this
adds only the refusal and each line's rule and idiom matches. ``-q``: counts only.
"""
from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

from bot.content.near_duplicates import NEVER_READ


def main(argv: list[str]) -> int:
    paths = [a for a in argv if not a.startswith("-")]
    quiet = "-q" in argv
    if not paths or any(Path(p).name in NEVER_READ for p in paths):
        print(__doc__.strip() if not paths else "refused: a closed blind set", file=sys.stderr)
        return 2
    from safety.engine import explain
    from safety.evaluate import evaluate, load_jsonl
    for path in paths:
        report = evaluate(load_jsonl(path))
        if not quiet:
            wrong: dict[tuple[str, str], list[str]] = defaultdict(list)
            for ex, result in report.misses + report.false_alarms:
                e = explain(ex.text)
                wrong[(ex.label, ex.category or "?")].append(
                    f"  [{result.kind.value}] {ex.text}\n      risk={e['risk_matches']}\n      idiom={e['idiom_matches']}")
            for (label, category), lines in sorted(wrong.items()):
                print(f"== {label} / {category}: {len(lines)}")
                print("\n".join(lines))
        print(path, json.dumps(report.summary()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
