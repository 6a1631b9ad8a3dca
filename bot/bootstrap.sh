#!/usr/bin/env bash
# Creates .venv with a Python 3.10 and installs the locked dependencies, only when they changed.
# Why a shell script: it must run before any Python environment of ours exists.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
STAMP="$VENV/.installed"

is_py310() { [ -n "$1" ] && "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; }

find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.10 python3; do
        [ -n "$candidate" ] || continue
        candidate=$(command -v "$candidate" 2>/dev/null) || continue
        if is_py310 "$candidate"; then echo "$candidate"; return 0; fi
    done
    if command -v pyenv >/dev/null 2>&1; then
        local version
        for version in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.[0-9]+)?$' | sort -t. -k3 -n -r); do
            candidate="$(pyenv prefix "$version" 2>/dev/null)/bin/python"
            if is_py310 "$candidate"; then echo "$candidate"; return 0; fi
        done
    fi
    for candidate in "$HOME"/.pyenv/versions/3.10*/bin/python /usr/local/bin/python3.10 /usr/bin/python3.10; do
        if is_py310 "$candidate"; then echo "$candidate"; return 0; fi
    done
    return 1
}

if ! is_py310 "$VENV/bin/python"; then
    if ! PY=$(find_python); then
        cat >&2 <<'MSG'
error: no Python 3.10 found (looked at $PYTHON, python3.10, python3 and pyenv's versions).
Rasa Open Source 3.6 runs only on Python 3.8-3.10. Install one, then run the command again:
  with pyenv:   pyenv install 3.10.13
  on Debian:    use pyenv (Debian 12 ships only 3.11)
  or point us at one:  PYTHON=/path/to/python3.10 make run
MSG
        exit 1
    fi
    echo "setup: creating $VENV with $PY"
    rm -rf "$VENV"
    "$PY" -m venv "$VENV"
fi

want=$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
    echo "setup: installing the locked dependencies (first time: about 3 minutes, about 3 GB; pip shows progress)"
    "$VENV/bin/python" -m pip install --disable-pip-version-check --upgrade 'pip<24' 'setuptools==70.3.0' 'wheel==0.45.1'
    # Every file is checked against the lock's sha256 (regenerate with `python -m bot.lock_hashes`).
    "$VENV/bin/python" -m pip install --disable-pip-version-check --require-hashes -r requirements.lock
    "$VENV/bin/python" -m pip install --disable-pip-version-check --no-deps --no-build-isolation -e .
    "$VENV/bin/python" -m pip check
    echo "$want" > "$STAMP"
    echo "setup: done"
fi
