"""Evaluate ``assess`` on a labelled JSONL file.

    python -m safety.evaluate FILE.jsonl [FILE2.jsonl ...] [--json]

Each line: {"text": "...", "label": "risk" | "nonrisk" | "nonrisk_hard", "category": "...",
"source": "..."} ("category" and "source" optional; "nonrisk_hard" is non-risk text that holds
trigger words: news, idioms, third-person mentions).  Figures are reported per source (the
"source" field, else the file name) because a detector tuned on one kind of text fails on
another, and an average hides it.  Why these measures: a risk message counts as caught
only when ``escalate`` is true (a check-in alone does not reach crisis
resources or staff); a false alarm is a nonrisk message that escalates.  A
check-in on a nonrisk message is reported separately: it costs one caring
question, not a page to staff.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from .assessment import Assessment, Kind
from .errors import CorpusError, Errors, err

LABELS = ("risk", "nonrisk", "nonrisk_hard")


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    category: str | None
    source: str
    line: int
    group: str = ""

    @property
    def is_risk(self) -> bool:
        return self.label == "risk"


@dataclass
class Report:
    n_risk: int = 0
    n_nonrisk: int = 0
    caught: int = 0
    false_alarms: list[tuple[Example, Assessment]] = field(default_factory=list)
    misses: list[tuple[Example, Assessment]] = field(default_factory=list)
    check_ins: list[tuple[Example, Assessment]] = field(default_factory=list)
    per_category: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    per_group: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    kinds: Counter = field(default_factory=Counter)

    @property
    def recall(self) -> float:
        return self.caught / self.n_risk if self.n_risk else 1.0

    @property
    def fpr(self) -> float:
        return len(self.false_alarms) / self.n_nonrisk if self.n_nonrisk else 0.0

    def summary(self) -> dict:
        """The headline figures, plus per source the share of messages that escalated."""
        per_source = {}
        for group in sorted(self.per_group):
            c = self.per_group[group]
            n = c["risk"] + c["nonrisk"]
            escalated = c["caught"] + c["false_alarm"]
            per_source[group] = {"label": "risk" if c["risk"] else "nonrisk", "n": n,
                                 "escalated": round(escalated / n, 4) if n else 0.0,
                                 "check_in": round(c["check_in"] / n, 4) if n else 0.0}
        return {"recall": round(self.recall, 4), "fpr": round(self.fpr, 4), "n_risk": self.n_risk,
                "n_nonrisk": self.n_nonrisk, "per_source": per_source}


def load_jsonl(path: Path | str) -> list[Example]:
    """Read and validate a corpus file; errors name the file and line number."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CorpusError(err(Errors.E030, file=path, line=0, problem=f"cannot read file: {exc}")) from exc
    out = []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise CorpusError(err(Errors.E030, file=path, line=number, problem=f"not valid JSON ({exc.msg})")) from None
        if not isinstance(row, dict):
            raise CorpusError(err(Errors.E030, file=path, line=number, problem="expected a JSON object"))
        text, label, category = row.get("text"), row.get("label"), row.get("category")
        if not isinstance(text, str):
            raise CorpusError(err(Errors.E030, file=path, line=number, problem="'text' must be a string"))
        if label not in LABELS:
            raise CorpusError(err(Errors.E030, file=path, line=number, problem=f"'label' must be one of {LABELS}, got {label!r}"))
        if category is not None and not isinstance(category, str):
            raise CorpusError(err(Errors.E030, file=path, line=number, problem="'category' must be a string when present"))
        source = row.get("source")
        group = source if isinstance(source, str) and source else path.stem
        out.append(Example(text, label, category, str(path), number, f"{group} ({label})"))
    if not out:
        raise CorpusError(err(Errors.E031, file=path))
    return out


def evaluate(examples: Iterable[Example], assess: Callable[[str], Assessment] | None = None) -> Report:
    """Run ``assess`` over ``examples`` and tally recall, false alarms and check-ins."""
    if assess is None:
        from .engine import assess as default_assess
        assess = default_assess
    report = Report()
    for ex in examples:
        result = assess(ex.text)
        report.kinds[(ex.label, result.kind.value)] += 1
        tallies = (report.per_category[ex.category or "(none)"], report.per_group[ex.group or ex.label])
        if ex.is_risk:
            report.n_risk += 1
            _count(tallies, "risk")
            if result.escalate:
                report.caught += 1
                _count(tallies, "caught")
            else:
                report.misses.append((ex, result))
                if result.kind is Kind.CHECK_IN:
                    _count(tallies, "check_in")
        else:
            report.n_nonrisk += 1
            _count(tallies, "nonrisk")
            if result.escalate:
                report.false_alarms.append((ex, result))
                _count(tallies, "false_alarm")
            elif result.kind is Kind.CHECK_IN:
                report.check_ins.append((ex, result))
                _count(tallies, "check_in")
    return report


def _count(tallies: Iterable[Counter], key: str) -> None:
    for tally in tallies:
        tally[key] += 1


def format_report(report: Report) -> str:
    lines = [
        f"risk messages:     {report.n_risk}",
        f"nonrisk messages:  {report.n_nonrisk}",
        f"recall:            {report.recall:.2%}  ({report.caught}/{report.n_risk} escalated)",
        f"false-positive rate: {report.fpr:.2%}  ({len(report.false_alarms)}/{report.n_nonrisk} nonrisk escalated)",
        f"check-ins on nonrisk: {len(report.check_ins)}",
        "",
        "per source (share escalated; check-ins asked instead):",
    ]
    for group, figures in report.summary()["per_source"].items():
        lines.append(f"  {group:40s} n {figures['n']:5d}  escalated {figures['escalated']:7.2%}  check-in {figures['check_in']:7.2%}")
    lines += ["", "per category (label counts; caught = escalated):"]
    for cat in sorted(report.per_category):
        c = report.per_category[cat]
        if c["risk"]:
            lines.append(f"  {cat:24s} risk {c['risk']:4d}  caught {c['caught']:4d}")
        if c["nonrisk"]:
            lines.append(f"  {cat:24s} nonrisk {c['nonrisk']:4d}  false alarms {c['false_alarm']:3d}  check-ins {c['check_in']:3d}")
    lines.append("")
    lines.append(f"misses ({len(report.misses)}):")
    for ex, res in report.misses:
        lines.append(f"  {ex.source}:{ex.line} [{ex.category}] kind={res.kind.value} {ex.text!r}")
    lines.append(f"false alarms ({len(report.false_alarms)}):")
    for ex, res in report.false_alarms:
        lines.append(f"  {ex.source}:{ex.line} [{ex.category}] kind={res.kind.value} rules={res.rule_ids} {ex.text!r}")
    lines.append(f"check-ins on nonrisk ({len(report.check_ins)}):")
    for ex, res in report.check_ins:
        lines.append(f"  {ex.source}:{ex.line} [{ex.category}] rules={res.rule_ids} {ex.text!r}")
    return "\n".join(lines)


def cli(prog: str, description: str) -> argparse.ArgumentParser:
    """The command line shared by this module and ``bot safety-eval`` (which adds ``--model``)."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("files", nargs="+", type=Path,
                        help="JSONL: text, label (risk|nonrisk|nonrisk_hard), optional category and source")
    parser.add_argument("--json", action="store_true",
                        help='print one JSON object {"recall", "fpr", "n_risk", "n_nonrisk", "per_source"}')
    return parser


def run(args: argparse.Namespace, detector: Callable[[], Callable[[str], Assessment]] | None = None) -> int:
    """Read the files, evaluate (``detector()`` makes the detector once the files are known to be good;
    default ``assess``) and print the report. Exit code 2 and a line-numbered error for a bad file."""
    try:
        examples = [ex for f in args.files for ex in load_jsonl(f)]
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report = evaluate(examples, detector() if detector else None)
    print(json.dumps(report.summary()) if args.json else format_report(report))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = cli("python -m safety.evaluate", "Recall and false-positive rate of safety.assess on labelled JSONL.")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
