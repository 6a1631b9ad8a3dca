"""Helpers for console tests: accounts, signing in through the real forms, finding CSRF tokens."""
from __future__ import annotations

import re
import time
from typing import Optional

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import staff
from bot.db import get_engine
from bot.escalations import record_escalation
from bot.models import Case
from bot.settings import Settings

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SECRET = re.compile(r'data-secret="([A-Z2-7]+)"')
PASSWORD = "a long and unusual passphrase"
SENDER = "3f2b8c1e-5a7d-4e9f-8b2c-1d0e6a4f9b21"


def add_account(settings: Settings, email: str, role: str = "reviewer", password: str = PASSWORD,
                totp_secret: Optional[str] = None) -> None:
    with Session(get_engine(settings), future=True) as db, db.begin():
        member = staff.add(db, settings, email, role, password)
        if totp_secret:
            member.totp_secret = totp_secret


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def code_for(secret: str, offset_steps: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.at(time.time() + offset_steps * totp.interval)


def sign_in(client: TestClient, email: str, password: str = PASSWORD, totp_secret: Optional[str] = None):  # type: ignore[no-untyped-def]
    """Sign in through the forms; returns the last response. Sets up two-step sign-in when asked to."""
    page = client.get("/console/login")
    response = client.post("/console/login", data={"csrf_token": csrf_of(page.text), "email": email,
                                                   "password": password}, follow_redirects=False)
    if response.status_code != 303:
        return response
    location = response.headers["location"]
    if location == "/console/login/code":
        page = client.get(location)
        response = client.post(location, data={"csrf_token": csrf_of(page.text), "code": code_for(totp_secret or "")},
                               follow_redirects=False)
    elif location == "/console/two-step/setup":
        page = client.get(location)
        secret = SECRET.search(page.text).group(1)
        response = client.post(location, data={"csrf_token": csrf_of(page.text), "code": code_for(secret)})
        response.secret = secret  # type: ignore[attr-defined]
    return response


def page_csrf(client: TestClient, path: str = "/console/account") -> str:
    return csrf_of(client.get(path).text)


def new_case(settings: Settings, sender: str = SENDER, kind: str = "crisis", at: Optional[float] = None,
             categories: Optional[list[str]] = None, rule_ids: Optional[list[str]] = None) -> str:
    """A case as the action server records it; returns its public id."""
    at = at or time.time()
    record_escalation(sender, at, kind, categories or ["active_ideation"], rule_ids or ["active.kill_myself"],
                      settings=settings)
    with Session(get_engine(settings), future=True) as db:
        return db.execute(select(Case.public_id).where(Case.sender_id == sender, Case.event_timestamp == at)).scalar_one()
