"""The model's domain schema-checked once per content, not at every start (what `bot run` installs,
through bot/rasa_main.py).

Why: loading a model, Rasa's `DomainProvider.load` reads the archive's `domain.yml` with
`Domain.from_path`, which checks the whole file against Rasa's domain schema with pykwalify first
(`validate_yaml_schema`), then reads it again to build the domain. For our ~110 kB domain the schema check
is ~0.75 s of CPU at every start of the Rasa server (py-spy: 187 of 2,230 samples of a cold start), for a
file that never changes between trainings.

What this does: the first time a domain text passes Rasa's own `Domain.from_path` (check included), the
sha256 of that text (with the Rasa version, whose schema it passed) is added to a small list beside the
model (`BOT_VALIDATED_DOMAINS`, set by bot/services.py). A later start whose `domain.yml` has a listed
sha256 builds the domain as `Domain.from_directory` does after its check (`read_yaml`, `merge_domain_dicts`,
`from_dict`): the same Domain, from text that passed the same check. Any other text, any other layout of
the domain directory, or no list configured: Rasa's own path, check included. A text that fails the check
raises as before and is never listed. Nothing is weakened: the list only ever names texts the check passed,
and anyone able to write it could replace the model beside it.

Tied to the pinned Rasa (bot/rasa_pin.py): `install()` refuses to start on another Rasa version or another
source of `DomainProvider.load` or `Domain.from_directory`. tests/bot/test_domain_memo.py compares both
paths on the project's domain.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Callable, Dict, Optional

from bot.rasa_pin import check_reviewed

EXPECTED_SOURCES = {
    "DomainProvider.load": "75a21f7228a83368773446f3396d81f3502443949823a51fa7b36626defead6e",
    "Domain.from_directory": "113d50bc5e13f77ffc0245d95e415840f65e7c66ce72efb9ced29d6d252d8855",
}
# The file listing the sha256 of domain texts that passed Rasa's check (bot/services.py sets it).
MEMO_VARIABLE = "BOT_VALIDATED_DOMAINS"
# How many to keep (the newest): one per training that was served.
MEMO_SIZE = 20
DOMAIN_FILE = "domain.yml"


class DomainMemoError(RuntimeError):
    """Rasa is not the version this module was reviewed against; review it before starting."""


def _functions() -> Dict[str, Callable[..., Any]]:
    from rasa.graph_components.providers.domain_provider import DomainProvider
    from rasa.shared.core.domain import Domain

    load = getattr(DomainProvider.load, "_bot_original", DomainProvider.load)  # Rasa's, even once installed
    return {"DomainProvider.load": load, "Domain.from_directory": Domain.from_directory}


def check_rasa(version: Optional[str] = None, sources: Optional[Dict[str, str]] = None) -> None:
    """Raise DomainMemoError unless Rasa and the functions relied on are the reviewed ones."""
    check_reviewed("bot/domain_memo.py", DomainMemoError, _functions, EXPECTED_SOURCES, version, sources)


def content_key(text: str) -> str:
    """sha256 of the domain text with the Rasa version whose schema checked it."""
    import rasa

    return hashlib.sha256(f"rasa {rasa.__version__}\n{text}".encode()).hexdigest()


def validated_keys(memo: Path) -> list[str]:
    try:
        return memo.read_text().split()
    except OSError:
        return []


def remember(memo: Path, key: str) -> None:
    """Add `key` to the list (atomically replaced: two servers starting at once lose at most an entry)."""
    keys = [k for k in validated_keys(memo) if k != key][-(MEMO_SIZE - 1):] + [key]
    temporary = memo.with_name(f".{memo.name}.{os.getpid()}")
    try:
        temporary.write_text("\n".join(keys) + "\n")
        os.replace(temporary, memo)
    except OSError:
        temporary.unlink(missing_ok=True)  # a read-only models/ only costs the check at the next start


def load_domain(directory: Path, memo: Path) -> Any:
    """The Domain of a model's domain directory, as `Domain.from_path(directory)` builds it."""
    import rasa.shared.utils.io
    from rasa.shared.core.domain import ALL_DOMAIN_KEYS, Domain

    files = [p for p in Path(directory).rglob("*") if p.is_file()]
    if len(files) != 1 or files[0].name != DOMAIN_FILE:
        return Domain.from_path(directory)
    text = rasa.shared.utils.io.read_file(files[0])
    key = content_key(text)
    if key in validated_keys(memo):
        data = rasa.shared.utils.io.read_yaml(text)
        return Domain.from_dict(Domain.merge_domain_dicts(data, {}))
    domain = Domain.from_path(directory)  # Rasa's own path: the schema check, then the domain
    data = rasa.shared.utils.io.read_yaml(text)
    if isinstance(data, dict) and any(k in data for k in ALL_DOMAIN_KEYS):  # read as a domain file, as Rasa did
        remember(memo, key)
    return domain


def install(environ: Optional[Dict[str, str]] = None) -> None:
    """`DomainProvider.load` through `load_domain` when MEMO_VARIABLE names a file; idempotent."""
    memo_path = (os.environ if environ is None else environ).get(MEMO_VARIABLE)
    if not memo_path:
        return
    from rasa.graph_components.providers.domain_provider import DomainProvider

    if getattr(DomainProvider.load, "_bot_original", None) is not None:
        return
    check_rasa()
    original = DomainProvider.load
    memo = Path(memo_path)

    def load(cls: Any, config: Dict[str, Any], model_storage: Any, resource: Any, execution_context: Any,
             **kwargs: Any) -> Any:
        with model_storage.read_from(resource) as resource_directory:
            domain = load_domain(resource_directory, memo)
        return cls(model_storage, resource, domain)

    load._bot_original = original  # type: ignore[attr-defined]
    load.__doc__ = "Rasa's load, with the schema check once per domain text (bot/domain_memo.py)."
    DomainProvider.load = classmethod(load)  # type: ignore[method-assign, assignment]
