"""Staff accounts from the command line, password rules, two-step codes, and the migration guard."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone

import pyotp
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import staff
from bot.db import DatabaseNotMigrated, get_engine
from bot.models import AuditEntry, Staff
from bot.settings import PROJECT_ROOT, load_settings

PASSPHRASE = "a long and unusual passphrase"


def bot(settings, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "BOT_VAR_DIR": str(settings.var_dir)}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, text=True,
                          env=env, cwd=PROJECT_ROOT, timeout=120)


def test_staff_add_disable_and_reset_password_from_the_command_line(settings):
    added = bot(settings, "staff", "add", "Ana@Clinic.example", "--role", "admin", stdin=PASSPHRASE + "\n")
    assert added.returncode == 0, added.stderr
    assert "two-step" in added.stdout
    again = bot(settings, "staff", "add", "ana@clinic.example", "--role", "reviewer", stdin=PASSPHRASE + "\n")
    assert again.returncode == 2 and "exists already" in again.stderr
    weak = bot(settings, "staff", "add", "bo@clinic.example", "--role", "reviewer", stdin="password1234\n")
    assert weak.returncode == 2 and "common passwords" in weak.stderr
    assert bot(settings, "staff", "disable", "ana@clinic.example").returncode == 0
    assert bot(settings, "staff", "reset-password", "ana@clinic.example", stdin="another long passphrase\n").returncode == 0
    missing = bot(settings, "staff", "disable", "nobody@clinic.example")
    assert missing.returncode == 2 and "no account" in missing.stderr
    with Session(get_engine(settings)) as db:
        member = db.execute(select(Staff)).scalar_one()
        assert member.email == "ana@clinic.example" and member.role == "admin" and member.disabled_at
        assert member.password_hash.startswith("$argon2")
        assert staff.verify_password(member, "another long passphrase")
        actions = db.execute(select(AuditEntry.action).order_by(AuditEntry.id)).scalars().all()
    assert actions == ["staff_added", "staff_disabled", "password_reset"]


def test_password_rules_are_length_and_a_common_password_list(settings):
    minimum = settings.console.password_min_length
    assert "at least" in staff.password_problem("x" * (minimum - 1), settings)
    assert staff.password_problem("x" * minimum + "y", settings) is None
    assert "common" in staff.password_problem("Password1234", settings)
    assert "common" in staff.password_problem("correcthorsebatterystaple", settings)
    assert staff.password_problem("tulips in the rain at noon", settings) is None  # no composition rules


def test_a_totp_code_works_once_and_tolerates_one_step_of_clock_drift():
    secret = staff.new_totp_secret()
    totp = pyotp.TOTP(secret)
    now = datetime.now(timezone.utc)
    step = staff.totp_step(secret, totp.at(now), at=now)
    assert step is not None
    assert staff.totp_step(secret, totp.at(now), last_step=step, at=now) is None  # replay refused
    assert staff.totp_step(secret, totp.at(now.timestamp() - 30), at=now) is not None  # a slow phone
    assert staff.totp_step(secret, totp.at(now.timestamp() - 120), at=now) is None
    assert staff.totp_step(secret, "12345", at=now) is None


def test_recovery_codes_are_kept_hashed_and_work_once():
    member = Staff(email="a@b.example", role="reviewer", password_hash="x", recovery_codes=[])
    codes = staff.new_recovery_codes(member)
    assert len(codes) == 10 and not set(codes) & set(member.recovery_codes)
    assert staff.use_recovery_code(member, codes[3].upper())
    assert not staff.use_recovery_code(member, codes[3])
    assert len(member.recovery_codes) == 9


def test_the_app_refuses_an_unmigrated_database_and_names_the_command(tmp_path):
    from bot.web import create_app

    settings = load_settings(environ={"BOT_VAR_DIR": str(tmp_path / "var")})
    with pytest.raises(DatabaseNotMigrated, match="bot migrate"):
        create_app(settings)
    listed = bot(settings, "escalations", "list")
    assert listed.returncode == 2 and "bot migrate" in listed.stderr
    assert bot(settings, "migrate").returncode == 0
    assert bot(settings, "escalations", "list").returncode == 0


def test_web_app_process_exits_with_the_command_on_an_unmigrated_database(tmp_path):
    env = {**os.environ, "BOT_VAR_DIR": str(tmp_path / "var"), "BOT_WEB_PORT": "1"}
    result = subprocess.run([sys.executable, "-m", "bot.web"], capture_output=True, text=True, env=env,
                            cwd=PROJECT_ROOT, timeout=120)
    assert result.returncode == 2 and "bot migrate" in result.stderr


def test_run_prints_how_to_create_the_first_admin_until_there_is_one(settings):
    from bot.cli import first_admin_hint

    hint = first_admin_hint(settings)
    assert "bot staff add" in hint and "--role admin" in hint and settings.console_url in hint
    assert bot(settings, "staff", "add", "rev@clinic.example", "--role", "reviewer", stdin=PASSPHRASE + "\n").returncode == 0
    assert first_admin_hint(settings) is not None  # a reviewer is not an admin
    assert bot(settings, "staff", "add", "ana@clinic.example", "--role", "admin", stdin=PASSPHRASE + "\n").returncode == 0
    assert first_admin_hint(settings) is None


def test_reset_password_can_also_reset_two_step_sign_in(settings):
    assert bot(settings, "staff", "add", "ana@clinic.example", "--role", "admin", stdin=PASSPHRASE + "\n").returncode == 0
    with Session(get_engine(settings)) as db, db.begin():
        member = db.execute(select(Staff)).scalar_one()
        member.totp_secret = staff.new_totp_secret()
        staff.new_recovery_codes(member)
    kept = bot(settings, "staff", "reset-password", "ana@clinic.example", stdin="another long passphrase\n")
    assert kept.returncode == 0
    with Session(get_engine(settings)) as db:
        assert db.execute(select(Staff.totp_secret)).scalar() is not None
    reset = bot(settings, "staff", "reset-password", "ana@clinic.example", "--two-step", stdin="a third passphrase here\n")
    assert reset.returncode == 0 and "two-step" in reset.stdout
    with Session(get_engine(settings)) as db:
        member = db.execute(select(Staff)).scalar_one()
        assert member.totp_secret is None and member.recovery_codes == []
