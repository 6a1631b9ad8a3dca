"""A finding is one problem at one place: printed as ``file:line: problem``, like a compiler error."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable


@dataclass(frozen=True, order=True)
class Finding:
    file: str  # relative to the project root, forward slashes
    line: int  # 1-based; 1 when the problem is the absence of something in the file
    problem: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.problem}"


def relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def unique_sorted(findings: Iterable[Finding]) -> list[Finding]:
    """Each finding once, in file and line order (a reader fixes them top to bottom)."""
    return sorted(set(findings), key=lambda f: (f.file, f.line, f.problem))
