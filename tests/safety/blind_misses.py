"""A read set's misses, per category: risk lines not escalated and non-risk lines escalated, with explain().

    PYTHONPATH=. python tests/safety/blind_misses.py tests/safety/blind/blind-2026-12-07.jsonl [-q]

For tuning on a blind set that has been opened as a read set (set 15 for the seventeenth pass). The sets nobody may
read yet (bot/content/near_duplicates.py's NEVER_READ) are refused unopened. ``-q``: counts only.
"""
from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

from bot.content.near_duplicates import NEVER_READ


def main(argv: list[str]) -> int:
    paths = [a for a in argv if not a.startswith("-")]
    quiet = "-q" in argv
    if not paths or any(Path(p).name in NEVER_READ for p in paths):
        print(__doc__.strip() if not paths else "refused: a closed blind set", file=sys.stderr)
        return 2
    from safety import assess
    from safety.engine import explain
    for path in paths:
        total, escalated, asked = Counter(), Counter(), Counter()
        misses: dict[tuple[str, str], list[str]] = defaultdict(list)
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            label, kind = item["label"], assess(item["text"]).kind
            total[label] += 1
            escalated[label] += kind.escalates
            asked[label] += kind.value != "none"
            if not quiet and (label == "risk") != kind.escalates:
                e = explain(item["text"])
                misses[(label, item.get("category", "?"))].append(
                    f"  [{kind.value}] {item['text']}\n      risk={e['risk_matches']}\n      idiom={e['idiom_matches']}")
        for (label, category), lines in sorted(misses.items()):
            print(f"== {label} / {category}: {len(lines)}")
            print("\n".join(lines))
        for label in sorted(total):
            n = total[label]
            print(f"{path} {label}: {n}, escalated {escalated[label]} ({100 * escalated[label] / n:.1f}%), "
                  f"at least asked {asked[label]} ({100 * asked[label] / n:.1f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
