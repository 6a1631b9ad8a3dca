"""Who can reach what: every console route, requested without a session, by a reviewer, with a bad
CSRF token, and after the account is disabled."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db import get_engine
from bot.models import AuditEntry, Staff, StaffSession
from bot.staff import utcnow
from tests.web.console import PASSWORD, add_account, code_for, csrf_of, new_case, page_csrf, sign_in

CASE = "{case}"
STAFF = "{staff}"
# Every console route: (method, path, kind). kind: "page" (redirect to sign-in), "api" (401),
# "admin-page" / "admin-api" (also 403 for reviewers). Sign-in routes are tested on their own below.
ROUTES = [
    ("GET", "/console/cases", "page"),
    ("GET", f"/console/cases/{CASE}", "page"),
    ("GET", f"/console/cases/{CASE}/export", "page"),
    ("POST", f"/console/cases/{CASE}/assign", "page"),
    ("POST", f"/console/cases/{CASE}/status", "page"),
    ("POST", f"/console/cases/{CASE}/notes", "page"),
    ("GET", "/console/search", "page"),
    # Unanswered messages: any signed-in member, like cases (the list has no text; each read is audited).
    ("GET", "/console/unanswered", "page"),
    ("GET", f"/console/unanswered/{CASE}", "page"),
    ("GET", "/console/account", "page"),
    ("POST", "/console/account/password", "page"),
    ("GET", "/console/staff", "admin-page"),
    ("POST", "/console/staff", "admin-page"),
    ("POST", f"/console/staff/{STAFF}/disable", "admin-page"),
    ("POST", f"/console/staff/{STAFF}/enable", "admin-page"),
    ("POST", f"/console/staff/{STAFF}/reset-password", "admin-page"),
    ("GET", "/console/audit", "admin-page"),
    ("GET", "/console/api/summary", "api"),
    ("GET", "/console/api/session", "api"),
    ("POST", "/console/api/session/extend", "api"),
    ("GET", "/console/api/cases", "api"),
    ("GET", f"/console/api/cases/{CASE}", "api"),
    ("POST", f"/console/api/cases/{CASE}/presence", "api"),
    ("GET", "/console/api/audit", "admin-api"),
    # Live handoff ({case} stands for a handoff's public id in /handoffs/ paths).
    ("GET", "/console/live", "page"),
    ("POST", "/console/live/join", "page"),
    ("POST", f"/console/cases/{CASE}/join", "page"),
    ("GET", f"/console/handoffs/{CASE}", "page"),
    ("POST", f"/console/handoffs/{CASE}/messages", "page"),
    ("POST", f"/console/handoffs/{CASE}/hand-back", "page"),
    ("POST", f"/console/handoffs/{CASE}/take-over", "page"),
    ("GET", f"/console/api/handoffs/{CASE}/updates", "api"),
    ("GET", f"/console/api/handoffs/{CASE}/events", "api"),
]
SIGN_IN_ROUTES = {
    ("GET", "/console"), ("GET", "/console/login"), ("POST", "/console/login"), ("GET", "/console/login/code"),
    ("POST", "/console/login/code"), ("GET", "/console/two-step/setup"), ("POST", "/console/two-step/setup"),
    ("POST", "/console/logout"),
}
ADMIN_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _path(template: str, case: str, staff_id: str) -> str:
    return template.replace(CASE, case).replace(STAFF, staff_id)


def _staff_id(settings, email: str) -> str:
    with Session(get_engine(settings)) as db:
        return db.execute(select(Staff.public_id).where(Staff.email == email)).scalar_one()


def test_the_matrix_lists_every_console_route(console: TestClient):
    declared = set()
    for route in console.app.routes:
        if getattr(route, "path", "").startswith("/console"):
            declared |= {(method, route.path.replace("{public_id}", CASE)) for method in route.methods - {"HEAD"}}
    listed = {(method, path) for method, path, _ in ROUTES} | SIGN_IN_ROUTES
    staff_routes = {(m, p.replace(CASE, STAFF)) for m, p in declared if p.startswith("/console/staff/")}
    declared = {(m, p) for m, p in declared if not p.startswith("/console/staff/")} | staff_routes
    assert declared == listed, "a console route is missing from the access matrix (or the matrix is stale)"


@pytest.mark.parametrize("method, template, kind", ROUTES)
def test_without_a_session_pages_redirect_to_sign_in_and_the_api_answers_401(console, settings, method, template, kind):
    case = new_case(settings)
    add_account(settings, "someone@clinic.example")
    response = console.request(method, _path(template, case, _staff_id(settings, "someone@clinic.example")),
                               follow_redirects=False)
    if kind.endswith("api"):
        assert response.status_code == 401
        assert response.json()["error"] == "not_signed_in"
    else:
        assert response.status_code == 303
        assert response.headers["location"].startswith("/console/login")


@pytest.mark.parametrize("method, template, kind", [r for r in ROUTES if r[2].startswith("admin")])
def test_a_reviewer_on_admin_routes_gets_403(console, settings, method, template, kind):
    add_account(settings, "reviewer@clinic.example")
    sign_in(console, "reviewer@clinic.example")
    csrf = page_csrf(console)
    path = _path(template, new_case(settings), _staff_id(settings, "reviewer@clinic.example"))
    response = console.request(method, path, data={"csrf_token": csrf, "password": "x" * 20}, follow_redirects=False)
    assert response.status_code == 403


@pytest.mark.parametrize("method, template, kind", [r for r in ROUTES if r[0] == "POST"])
@pytest.mark.parametrize("token", ["", "wrong"])
def test_state_changing_requests_without_the_right_csrf_token_get_403(console, settings, method, template, kind, token):
    add_account(settings, "admin@clinic.example", role="admin", totp_secret=ADMIN_SECRET)
    add_account(settings, "other@clinic.example")
    assert sign_in(console, "admin@clinic.example", totp_secret=ADMIN_SECRET).status_code == 303
    path = _path(template, new_case(settings), _staff_id(settings, "other@clinic.example"))
    data = {"csrf_token": token, "status": "resolved", "body": "note", "email": "x@clinic.example",
            "role": "reviewer", "password": "another fine passphrase"}
    response = console.request(method, path, data=data, headers={"X-CSRF-Token": token} if token else {},
                               follow_redirects=False)
    assert response.status_code == 403
    # and nothing changed: the other account is still enabled, the case still new
    assert console.get("/console/api/summary").json()["new"] == 1
    with Session(get_engine(settings)) as db:
        assert db.execute(select(Staff.disabled_at).where(Staff.email == "other@clinic.example")).scalar() is None


def test_sign_in_forms_need_their_csrf_token_too(console, settings):
    add_account(settings, "reviewer@clinic.example")
    console.get("/console/login")
    response = console.post("/console/login", data={"csrf_token": "forged", "email": "reviewer@clinic.example",
                                                    "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 403
    assert "console_session" not in console.cookies


def test_disabling_an_account_ends_its_session_at_once(console, other_console, settings):
    add_account(settings, "admin@clinic.example", role="admin", totp_secret=ADMIN_SECRET)
    add_account(settings, "reviewer@clinic.example")
    sign_in(other_console, "reviewer@clinic.example")
    assert other_console.get("/console/api/summary").status_code == 200
    sign_in(console, "admin@clinic.example", totp_secret=ADMIN_SECRET)
    staff_id = _staff_id(settings, "reviewer@clinic.example")
    response = console.post(f"/console/staff/{staff_id}/disable", data={"csrf_token": page_csrf(console)})
    assert "disabled" in response.text
    assert other_console.get("/console/api/summary").status_code == 401
    assert other_console.get("/console/cases", follow_redirects=False).headers["location"].startswith("/console/login")
    # and it cannot sign in again
    assert sign_in(other_console, "reviewer@clinic.example").status_code == 401


def test_logout_ends_the_session_on_the_server(console, settings):
    add_account(settings, "reviewer@clinic.example")
    sign_in(console, "reviewer@clinic.example")
    stolen = console.cookies.get("console_session")
    console.post("/console/logout", data={"csrf_token": page_csrf(console)})
    with TestClient(console.app, cookies={"console_session": stolen}) as thief:
        assert thief.get("/console/api/summary").status_code == 401


def test_session_cookie_is_httponly_samesite_and_secure_over_https(settings, rasa_down):
    from bot.web import create_app
    from tests.web.conftest import QUIET

    add_account(settings, "reviewer@clinic.example")
    with TestClient(create_app(settings, QUIET, rasa_down), base_url="https://testserver") as client:
        page = client.get("/console/login")
        response = client.post("/console/login", data={"csrf_token": csrf_of(page.text),
                               "email": "reviewer@clinic.example", "password": PASSWORD}, follow_redirects=False)
        cookie = response.headers["set-cookie"]
        assert "console_session=" in cookie
        for flag in ("HttpOnly", "SameSite=strict", "Secure", "Path=/console"):
            assert flag in cookie


def _age_session(settings, **delta) -> None:
    with get_engine(settings).begin() as connection:
        connection.execute(update(StaffSession).values(last_seen_at=utcnow() - timedelta(**delta)))


def test_an_idle_session_ends_after_the_idle_timeout_and_a_poll_does_not_extend_it(console, settings):
    add_account(settings, "reviewer@clinic.example")
    sign_in(console, "reviewer@clinic.example")
    idle = settings.console.idle_timeout_minutes
    _age_session(settings, minutes=idle - 1)
    assert console.get("/console/api/summary", headers={"X-Console-Poll": "1"}).status_code == 200
    state = console.get("/console/api/session", headers={"X-Console-Poll": "1"}).json()
    assert state["idle_deadline"]  # the page warns before this
    extended = console.post("/console/api/session/extend", headers={"X-CSRF-Token": page_csrf(console)})
    assert extended.status_code == 200  # "stay signed in" (and the page load) counted as activity
    _age_session(settings, minutes=idle + 1)
    assert console.get("/console/api/summary").status_code == 401
    with Session(get_engine(settings)) as db:
        actions = db.execute(select(AuditEntry.action)).scalars().all()
    assert "session_expired" in actions


def test_a_session_ends_after_its_absolute_lifetime_even_when_active(console, settings):
    add_account(settings, "reviewer@clinic.example")
    sign_in(console, "reviewer@clinic.example")
    with get_engine(settings).begin() as connection:
        connection.execute(update(StaffSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert console.get("/console/api/summary").status_code == 401


def test_failed_sign_ins_slow_down_then_lock_the_account_and_are_audited(console, settings):
    add_account(settings, "reviewer@clinic.example")
    limit = settings.console.lockout_after_failures
    for _ in range(limit):
        response = sign_in(console, "reviewer@clinic.example", password="not the password at all")
        assert response.status_code == 401
    locked = sign_in(console, "reviewer@clinic.example")  # even the right password is refused now
    assert locked.status_code == 401 and "locked" in locked.text
    with Session(get_engine(settings)) as db:
        actions = db.execute(select(AuditEntry.action)).scalars().all()
    assert actions.count("login_failed") == limit + 1
    assert "login_locked" in actions


def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(console, settings):
    add_account(settings, "reviewer@clinic.example")
    unknown = sign_in(console, "nobody@clinic.example")
    wrong = sign_in(console, "reviewer@clinic.example", password="not the password at all")
    pick = re.compile(r'role="alert" id="login-error">([^<]+)<')
    assert pick.search(unknown.text).group(1) == pick.search(wrong.text).group(1)


def test_admins_must_set_up_two_step_sign_in_and_then_need_a_fresh_code(console, settings):
    add_account(settings, "admin@clinic.example", role="admin")
    first = sign_in(console, "admin@clinic.example")
    assert first.status_code == 200 and "recovery codes" in first.text
    codes = re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>", first.text)
    assert len(codes) == 10
    assert console.get("/console/staff").status_code == 200
    console.post("/console/logout", data={"csrf_token": page_csrf(console)})

    # the password alone reaches only the code page
    page = console.get("/console/login")
    console.post("/console/login", data={"csrf_token": csrf_of(page.text), "email": "admin@clinic.example",
                                         "password": PASSWORD})
    assert console.get("/console/cases", follow_redirects=False).headers["location"] == "/console/login/code"
    assert console.get("/console/api/summary").status_code == 401
    code_page = console.get("/console/login/code")
    used = code_for(first.secret)  # the code used for set-up: each code works once
    refused = console.post("/console/login/code", data={"csrf_token": csrf_of(code_page.text), "code": used})
    assert refused.status_code == 401
    # a recovery code works once
    ok = console.post("/console/login/code", data={"csrf_token": csrf_of(refused.text), "code": codes[0]},
                      follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/console/cases"
    assert console.get("/console/api/summary").status_code == 200


def test_reviewers_can_skip_two_step_unless_settings_require_it_for_all(settings, rasa_down):
    from bot.web import create_app
    from tests.web.conftest import QUIET

    add_account(settings, "reviewer@clinic.example")
    with TestClient(create_app(settings, QUIET, rasa_down)) as client:
        assert sign_in(client, "reviewer@clinic.example").headers["location"] == "/console/cases"
    strict = settings.copy(deep=True)
    strict.console.require_two_step = "all"
    with TestClient(create_app(strict, QUIET, rasa_down)) as client:
        response = sign_in(client, "reviewer@clinic.example")
        assert "recovery codes" in response.text


def test_case_ids_in_urls_are_opaque(settings):
    ids = [new_case(settings, sender=f"s{n}") for n in range(5)]
    assert all(len(i) >= 16 and not i.isdigit() for i in ids)
    assert len(set(ids)) == 5


def test_an_admin_resets_a_lost_two_step_device_and_the_person_sets_it_up_again(console, other_console, settings):
    add_account(settings, "admin@clinic.example", role="admin", totp_secret=ADMIN_SECRET)
    add_account(settings, "reviewer@clinic.example", totp_secret="KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU")
    sign_in(console, "admin@clinic.example", totp_secret=ADMIN_SECRET)
    staff_id = _staff_id(settings, "reviewer@clinic.example")
    page = console.post(f"/console/staff/{staff_id}/reset-password",
                        data={"csrf_token": page_csrf(console), "password": "a brand new passphrase", "reset_two_step": "on"})
    assert "set up two-step sign-in again" in page.text
    with Session(get_engine(settings)) as db:
        assert db.execute(select(Staff.totp_secret).where(Staff.email == "reviewer@clinic.example")).scalar() is None
    # reviewers may go without two-step sign-in by default: the new password alone signs in
    response = sign_in(other_console, "reviewer@clinic.example", password="a brand new passphrase")
    assert response.headers["location"] == "/console/cases"


def test_staff_page_messages_are_fixed_sentences_not_words_from_the_link(console, settings):
    add_account(settings, "admin@clinic.example", role="admin", totp_secret=ADMIN_SECRET)
    sign_in(console, "admin@clinic.example", totp_secret=ADMIN_SECRET)
    spoof = console.get("/console/staff?message=Call+555-0000+now&done=Call+555-0000").text
    assert "555-0000" not in spoof
    weak = console.post("/console/staff", data={"csrf_token": page_csrf(console), "email": "new@clinic.example",
                                                "role": "reviewer", "password": "password1234"})
    assert weak.status_code == 400 and "common passwords" in weak.text
    added = console.post("/console/staff", data={"csrf_token": page_csrf(console), "email": "new@clinic.example",
                                                 "role": "reviewer", "password": "a fine long passphrase"})
    assert "Account new@clinic.example added" in added.text


def test_one_address_trying_many_sign_ins_is_slowed_to_429(settings, rasa_down):
    from bot.web import create_app
    from bot.web.options import WebOptions

    add_account(settings, "reviewer@clinic.example")
    options = WebOptions(reconcile_every_seconds=None, alerts=False, sign_in_limit=3)
    with TestClient(create_app(settings, options, rasa_down)) as client:
        for n in range(3):
            assert sign_in(client, f"guess{n}@clinic.example").status_code == 401
        refused = sign_in(client, "reviewer@clinic.example")  # even the right password, from this address
        assert refused.status_code == 429 and "Too many sign-in attempts" in refused.text
        assert int(refused.headers["Retry-After"]) == int(options.sign_in_window_seconds)


def test_the_queue_says_when_no_alerts_are_set_up(console, settings):
    add_account(settings, "reviewer@clinic.example")
    sign_in(console, "reviewer@clinic.example")
    assert "No alerts are set up" in console.get("/console/cases").text
