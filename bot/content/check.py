"""``make check-content`` after ``bot validate``: the content lint and the safety contract, one list.

Prints each finding as ``file:line: problem`` (sorted by file and line), then a one-line summary on
stderr; exit code 1 when there is any finding. No training, no servers: a few seconds.
"""
from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # `bot build` imports spaCy, which imports TensorFlow

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

from bot.content import lint, safety_contract
from bot.content.findings import Finding, unique_sorted
from bot.content.project import load_project


def run_checks(root: Path) -> tuple[list[Finding], list[Finding]]:
    """The content lint and the safety contract on the project at `root`: (lint findings, contract findings)."""
    with tempfile.TemporaryDirectory() as tmp:
        fragment, build_problem = safety_contract.build_fragment(root, Path(tmp))
        project = load_project(root, fragment)
        content = lint.lint(project)
        contract = safety_contract.check(project, fragment_known=fragment is not None)
    if build_problem:
        contract.append(build_problem)
    return content, contract


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.content.check", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=lint.HERE.parent.parent, help="project root (default: this repo)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    started = time.monotonic()
    content, contract = run_checks(root)
    findings = unique_sorted(content + contract)
    for finding in findings:
        print(finding)
    broken = sum(1 for f in findings if f.problem.startswith(safety_contract.PREFIX))
    print(
        f"check-content: {len(findings)} finding(s) ({broken} safety contract) in"
        f" {time.monotonic() - started:.1f} s; safety contract {'BROKEN' if broken else 'intact'}",
        file=sys.stderr,
    )
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
