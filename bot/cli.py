"""`bot`: the project's own commands (build, train, run, validate, ...)."""
from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import subprocess
import sys

from bot.build import BuildError, build, domain_dir
from bot.settings import SettingsError, get_settings
from bot.stop_request import StopRequest
from safety.errors import SafetyError


def _cmd_build(args: argparse.Namespace) -> int:
    build(get_settings())
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from bot.training import train

    train(get_settings(), force=args.force)
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    """`rasa data validate --fail-on-warnings` on the assembled domain, without the warnings the
    content rules explain (bot/content/quiet_rasa.py)."""
    settings = get_settings()
    build(settings)
    command = [
        sys.executable, "-m", "bot.content.quiet_rasa", str(settings.root), "data", "validate", "--fail-on-warnings",
        "--config", str(settings.root / "config.yml"),
        "--domain", str(domain_dir(settings)),
        "--data", str(settings.root / "data"),
    ]
    return subprocess.run(command, cwd=settings.root).returncode


def _cmd_migrate(args: argparse.Namespace) -> int:
    from bot.db import migrate

    print(f"migrate: the database is at revision {migrate(get_settings())}")
    return 0


FIRST_ADMIN_HINT = (
    "staff console: there is no admin account yet. Create the first one (it asks for a password):\n"
    "    .venv/bin/bot staff add you@your-clinic.example --role admin\n"
    "then sign in at {url}/login and set up two-step sign-in."
)


def first_admin_hint(settings) -> "str | None":  # type: ignore[no-untyped-def]
    """How to create the first admin, when there is none (printed by `bot run`)."""
    from sqlalchemy.orm import Session

    from bot.db import get_engine
    from bot.staff import any_admin

    with Session(get_engine(settings), future=True) as session:
        return None if any_admin(session) else FIRST_ADMIN_HINT.format(url=settings.console_url)


def _cmd_run(args: argparse.Namespace) -> int:
    from bot.services import all_services

    settings = get_settings()
    urls = (f"chat {settings.url('web')}/ | staff console {settings.console_url}/ | rasa {settings.url('rasa')} | "
            f"actions {settings.url('actions')}")
    return _supervise(settings, all_services(settings), f"ready: {urls}")


def _cmd_run_cluster(args: argparse.Namespace) -> int:
    """Rasa replicas sharing the PostgreSQL tracker store and the Redis lock store, one action server,
    and the web app spreading conversations across the replicas; supervised as `bot run` is."""
    from bot.services import ClusterNeedsStores, cluster_services

    settings = get_settings()
    try:
        services = cluster_services(settings, replicas=args.replicas)
    except ClusterNeedsStores as error:
        for problem in str(error).splitlines():
            print(f"error: {problem}", file=sys.stderr)
        print("Nothing was started. `bot run` (`make run`) needs neither.", file=sys.stderr)
        return 2
    rasa = " ".join(s.health_url.rstrip("/") for s in services if s.name.startswith("rasa-"))
    urls = (f"chat {settings.url('web')}/ | staff console {settings.console_url}/ | rasa replicas {rasa} | "
            f"actions {settings.url('actions')}")
    return _supervise(settings, services, f"ready: {urls}")


def _supervise(settings, services, on_ready: str) -> int:  # type: ignore[no-untyped-def]
    """Migrate, check the ports, train if needed, then run the services until any stops (bot/supervisor.py)."""
    from bot.db import migrate
    from bot.supervisor import PortsBusy, Supervisor
    from bot.training import train

    settings.var_dir.mkdir(parents=True, exist_ok=True)
    migrate(settings)
    hint = first_admin_hint(settings)
    if hint:
        print(hint, flush=True)
    supervisor = Supervisor(services, cwd=str(settings.root))
    try:
        supervisor.check_ports()  # before training, which can take a minute; run_forever checks again
        train(settings)
        print(f"starting: {', '.join(s.name for s in services)} (first start takes about 15 s)", flush=True)
        return supervisor.run_forever(on_ready=on_ready)
    except PortsBusy as error:
        for problem in str(error).splitlines():
            print(f"error: {problem}", file=sys.stderr)
        print("Nothing was started. To use other ports instead, set BOT_RASA_PORT, BOT_ACTIONS_PORT and "
              "BOT_WEB_PORT (or `services` in settings.yml).", file=sys.stderr)
        return 2


def _cmd_escalations_list(args: argparse.Namespace) -> int:
    from bot.escalations import iter_table, list_cases

    cases = list_cases(get_settings(), status=args.status)
    if args.json:
        print(json.dumps(cases, indent=2))
    else:
        for line in iter_table(cases):
            print(line)
    return 0


def _cmd_escalations_sync(args: argparse.Namespace) -> int:
    from bot.escalations import reconcile

    settings = get_settings()
    if args.every is None:
        print(f"sync: {reconcile(settings)} missing escalation(s) recorded (new cases, or on a conversation's open case)")
        return 0
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = StopRequest()
    signal.signal(signal.SIGTERM, stop.request)
    signal.signal(signal.SIGINT, stop.request)
    print(f"reconciler: checking the tracker store every {args.every:g} s", flush=True)
    while not stop.is_requested():
        try:
            reconcile(settings)
        except Exception as error:  # keep watching: a locked or briefly unreachable database recovers
            logging.getLogger("bot.reconciler").error("reconcile failed: %s", type(error).__name__)
        stop.wait(args.every)
    return 0


def _cli_actor() -> str:
    """Who ran the command, for the audit log: the operating-system account."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no name for this uid
        return f"cli:uid {os.getuid()}"


def _cmd_unanswered_list(args: argparse.Namespace) -> int:
    """Messages the assistant did not answer, newest first, without their text."""
    from bot import audit
    from bot.console.unanswered import listing
    from bot.web.unanswered import UnansweredStore

    settings = get_settings()
    UnansweredStore(settings).flush()  # anything this machine still holds in its spool
    with _staff_session(settings) as session, session.begin():
        rows, total = listing(session, flagged_only=args.flagged, limit=args.limit)
        audit.record(session, "unanswered_listed", actor=_cli_actor(), detail={"via": "cli", "rows": len(rows)})
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'id':<17} {'received (UTC)':<20} {'reason':<22} {'kind':<10} case              sender_id")
    from datetime import datetime, timezone

    for row in rows:
        when = datetime.fromtimestamp(row["received_at"], timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        print(f"{row['id']:<17} {when:<20} {row['reason']:<22} {row['kind']:<10} {row['case_id'] or '-':<17} "
              f"{row['sender_id']}")
    print(f"{len(rows)} of {total} shown. `bot unanswered show ID` prints one message's text (audited).")
    return 0


def _cmd_unanswered_show(args: argparse.Namespace) -> int:
    from bot.console.unanswered import read

    settings = get_settings()
    with _staff_session(settings) as session, session.begin():
        record = read(session, args.id, actor=_cli_actor())
    if record is None:
        raise _CliError(f"there is no unanswered message {args.id!r}")
    print(json.dumps(record, indent=2, ensure_ascii=False))
    return 0


def _cmd_purge(args: argparse.Namespace) -> int:
    from bot.retention import purge

    settings = get_settings()
    result = purge(settings)
    print(f"retention: {result['conversations']} conversation(s) idle for more than "
          f"{settings.conversations.retention_days} days deleted ({result['events']} events); "
          f"{result['kept_open']} kept because their case is open; {result['cases']} case(s) closed more than "
          f"{settings.conversations.case_retention_days} days ago deleted")
    return 0


def _read_password(prompt: str = "Password: ") -> str:
    """From a prompt (typed twice, not echoed) or, when stdin is not a terminal, its first line."""
    import getpass

    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(prompt)
    if getpass.getpass("Again: ") != first:
        raise _CliError("the two passwords differ; nothing was changed")
    return first


class _CliError(Exception):
    """A command cannot be done; the message says why."""


def _staff_session(settings):  # type: ignore[no-untyped-def]
    from sqlalchemy.orm import Session

    from bot.db import get_engine

    return Session(get_engine(settings), future=True)


def _cmd_staff_add(args: argparse.Namespace) -> int:
    from bot.staff import add, password_problem, two_step_required

    settings = get_settings()
    password = _read_password()
    problem = password_problem(password, settings, args.email)
    if problem:
        raise _CliError(problem)
    with _staff_session(settings) as session, session.begin():
        member = add(session, settings, args.email, args.role, password, require_two_step=args.require_two_step)
        email, two_step = member.email, two_step_required(member, settings)
    print(f"staff: added {email} ({args.role}). Sign in at {settings.console_url}/login"
          + (" and set up two-step sign-in there." if two_step else "."))
    return 0


def _member(session, email: str):  # type: ignore[no-untyped-def]
    from bot.staff import find

    member = find(session, email)
    if member is None:
        raise _CliError(f"there is no account for {email.strip().lower()}")
    return member


def _cmd_staff_disable(args: argparse.Namespace) -> int:
    from bot.staff import set_disabled

    settings = get_settings()
    with _staff_session(settings) as session, session.begin():
        set_disabled(session, _member(session, args.email), not args.enable)
    print(f"staff: {args.email.strip().lower()} {'enabled' if args.enable else 'disabled; its sessions ended'}")
    return 0


def _cmd_staff_reset_password(args: argparse.Namespace) -> int:
    from bot.staff import reset_password

    settings = get_settings()
    with _staff_session(settings) as session:
        _member(session, args.email)
    password = _read_password("New password: ")
    with _staff_session(settings) as session, session.begin():
        reset_password(session, settings, _member(session, args.email), password, reset_two_step=args.two_step)
    print(f"staff: new password set for {args.email.strip().lower()}; its sessions ended"
          + ("; two-step sign-in is set up again at the next sign-in" if args.two_step else ""))
    return 0


def _cmd_staff_list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from bot.models import Staff

    with _staff_session(get_settings()) as session:
        for member in session.execute(select(Staff).order_by(Staff.email)).scalars():
            state = "disabled" if member.disabled_at else "active"
            two_step = "two-step on" if member.totp_secret else "two-step off"
            print(f"{member.email:<40} {member.role:<9} {state:<9} {two_step}")
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from bot.bench import cpu_main, curve_main, main as bench_main

    if args.cpu:
        return cpu_main(args.runs)
    return curve_main(args.length) if args.curve else bench_main()


def _cmd_safety_eval(args: argparse.Namespace) -> int:
    from bot.nlu.pipeline_eval import main as eval_main
    from bot.training import model_path

    eval_args = args.eval_args[1:] if args.eval_args[:1] == ["--"] else args.eval_args
    return eval_main(eval_args, default_model=lambda: model_path(get_settings()))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("build", help="write var/build/ (domain with crisis resources, endpoints)").set_defaults(
        handler=_cmd_build
    )
    train = commands.add_parser("train", help="train the model if data, domain or config changed")
    train.add_argument("--force", action="store_true", help="train even when nothing changed")
    train.set_defaults(handler=_cmd_train)
    commands.add_parser("validate", help="rasa data validate --fail-on-warnings").set_defaults(
        handler=_cmd_validate
    )
    commands.add_parser("run", help="train if needed, start every service, print the URLs").set_defaults(
        handler=_cmd_run
    )
    cluster = commands.add_parser(
        "run-cluster", help="Rasa replicas on PostgreSQL (DATABASE_URL) + Redis (REDIS_URL), actions, web app")
    cluster.add_argument("--replicas", type=int, default=2, choices=range(1, 9), metavar="N",
                         help="Rasa server replicas, on BOT_RASA_PORT and the ports after it (default 2)")
    cluster.set_defaults(handler=_cmd_run_cluster)
    bench = commands.add_parser("bench", help="speed and memory against a plain `rasa init` bot")
    bench.add_argument("--curve", action="store_true",
                       help="only the reply time along one 1,000-message conversation (SQLite, PostgreSQL)")
    bench.add_argument("--length", type=int, default=1000, metavar="N",
                       help="with --curve: the conversation's length (default 1000)")
    bench.add_argument("--cpu", action="store_true",
                       help="only the Rasa server's CPU per message over a fixed load of 100 messages, --runs times")
    bench.add_argument("--runs", type=int, default=3, metavar="N", help="with --cpu: how many runs (default 3)")
    bench.set_defaults(handler=_cmd_bench)
    safety_eval = commands.add_parser(
        "safety-eval", add_help=False,
        help="escalation rates of the whole trained pipeline on labelled JSONL (`bot safety-eval -h`)")
    safety_eval.add_argument("eval_args", nargs=argparse.REMAINDER)
    safety_eval.set_defaults(handler=_cmd_safety_eval)
    commands.add_parser("purge", help="delete conversations idle longer than retention_days").set_defaults(
        handler=_cmd_purge
    )
    commands.add_parser("migrate", help="bring the database to the newest schema (run by `bot run` too)").set_defaults(
        handler=_cmd_migrate
    )
    staff = commands.add_parser("staff", help="staff console accounts").add_subparsers(
        dest="staff_command", required=True
    )
    staff_add = staff.add_parser("add", help="create an account; the password comes from a prompt or stdin")
    staff_add.add_argument("email")
    staff_add.add_argument("--role", choices=["reviewer", "admin"], required=True)
    staff_add.add_argument("--require-two-step", action="store_true",
                           help="a reviewer must set up two-step sign-in too (admins always must)")
    staff_add.set_defaults(handler=_cmd_staff_add)
    staff_disable = staff.add_parser("disable", help="disable an account; its sessions end at once")
    staff_disable.add_argument("email")
    staff_disable.add_argument("--enable", action="store_true", help="enable it again instead")
    staff_disable.set_defaults(handler=_cmd_staff_disable)
    staff_reset = staff.add_parser("reset-password", help="set a new password (prompt or stdin); ends its sessions")
    staff_reset.add_argument("email")
    staff_reset.add_argument("--two-step", action="store_true",
                             help="also reset two-step sign-in (lost device and recovery codes)")
    staff_reset.set_defaults(handler=_cmd_staff_reset_password)
    staff.add_parser("list", help="list accounts").set_defaults(handler=_cmd_staff_list)
    escalations = commands.add_parser("escalations", help="escalation cases").add_subparsers(
        dest="escalations_command", required=True
    )
    listing = escalations.add_parser("list", help="list cases, newest first")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    listing.add_argument("--status", help="only cases with this status (e.g. new)")
    listing.set_defaults(handler=_cmd_escalations_list)
    sync = escalations.add_parser("sync", help="create any case missing for tracker-store escalations")
    sync.add_argument("--every", type=float, metavar="SECONDS", help="keep running, checking this often")
    sync.set_defaults(handler=_cmd_escalations_sync)
    unanswered = commands.add_parser(
        "unanswered", help="messages kept while the assistant could not answer (every read audited)"
    ).add_subparsers(dest="unanswered_command", required=True)
    unanswered_list = unanswered.add_parser("list", help="newest first, without text")
    unanswered_list.add_argument("--json", action="store_true", help="print a JSON array")
    unanswered_list.add_argument("--flagged", action="store_true", help="only messages the safety check flagged")
    unanswered_list.add_argument("--limit", type=int, default=100)
    unanswered_list.set_defaults(handler=_cmd_unanswered_list)
    unanswered_show = unanswered.add_parser("show", help="one message with its text")
    unanswered_show.add_argument(
        "id", help="an id from `bot unanswered list`; an older id that starts with '-' goes after '--'")
    unanswered_show.set_defaults(handler=_cmd_unanswered_show)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["safety-eval"]:
        # Handed over whole: argparse's REMAINDER drops a leading option such as `-h` or `--model`.
        argv = ["safety-eval", "--", *argv[1:]]
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (SettingsError, BuildError, SafetyError, _CliError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # the two known kinds below name the fix; anything else is a bug
        from bot.db import DatabaseNotMigrated
        from bot.staff import AccountError

        if not isinstance(error, (DatabaseNotMigrated, AccountError)):
            raise
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
