"""Hold back the deprecation notices Rasa's libraries print while they import.

Why: `make run` printed about twenty of them (pkg_resources, pyparsing, SQLAlchemy 2.0, distutils) in front
of the lines a person starting the assistant needs to read, and `bot validate` five in front of a content
designer's warnings. Sanic turns DeprecationWarning back on when it is imported
(`filterwarnings("once", category=DeprecationWarning)` in sanic/app.py), so PYTHONWARNINGS cannot hide
them. Only DeprecationWarning (and its subclasses) raised from code in installed packages is held back;
every other warning, and any about the project's own code or files, prints as before.
"""
from __future__ import annotations

import sys
import warnings
from typing import Any, Callable, Optional

# warnings.showwarning's signature; `reason_for` returns why a warning is held back, or None to show it.
Reason = Callable[[str, type, str], Optional[str]]


def library_deprecation(message: str, category: type, filename: str) -> Optional[str]:
    if issubclass(category, DeprecationWarning) and "site-packages" in filename:
        return "deprecation notices inside Rasa's libraries"
    return None


def hold_back(reason_for: Reason = library_deprecation) -> dict[str, int]:
    """Install a `warnings.showwarning` that drops what `reason_for` explains; returns the live counts."""
    held: dict[str, int] = {}
    show = warnings.showwarning

    def show_unless_explained(message: Any, category: type, filename: str, lineno: int,
                              file: Any = None, line: Optional[str] = None) -> None:
        reason = reason_for(str(message), category, str(filename))
        if reason is None:
            show(message, category, filename, lineno, file, line)
        else:
            held[reason] = held.get(reason, 0) + 1

    warnings.showwarning = show_unless_explained
    return held


def run_module_quietly(module: str) -> None:
    """`python -m module` with the library deprecation notices held back."""
    import runpy

    hold_back()
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":  # python -m bot.library_warnings MODULE ARGS...: what `bot run` starts the action server with
    sys.argv = sys.argv[1:]
    run_module_quietly(sys.argv[0])
