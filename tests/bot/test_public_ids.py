"""Public ids are pasted into shell commands by staff, so none may read as an option."""
from __future__ import annotations

import itertools

from bot import models


def test_a_public_id_never_starts_with_a_dash(monkeypatch):
    drawn = itertools.chain(["-sAbkyGQwe-9sUyo", "-x"], itertools.repeat("AbkyGQwe-9sUyo"))
    monkeypatch.setattr(models.secrets, "token_urlsafe", lambda _n: next(drawn))
    assert models.new_public_id() == "AbkyGQwe-9sUyo"


def test_public_ids_stay_unguessable_and_fit_their_column():
    ids = {models.new_public_id() for _ in range(2000)}
    assert len(ids) == 2000
    assert all(len(i) == 16 and not i.startswith("-") for i in ids)
