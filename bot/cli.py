"""`bot`: the project's own commands (build, train, run, validate, ...)."""
from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import threading
import subprocess
import sys

from bot.build import BuildError, build, domain_dir
from bot.settings import SettingsError, get_settings
from safety.errors import SafetyError


def _cmd_build(args: argparse.Namespace) -> int:
    build(get_settings())
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from bot.training import train

    train(get_settings(), force=args.force)
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    """`rasa data validate --fail-on-warnings` on the assembled domain."""
    settings = get_settings()
    build(settings)
    command = [
        sys.executable, "-m", "rasa", "data", "validate", "--fail-on-warnings",
        "--config", str(settings.root / "config.yml"),
        "--domain", str(domain_dir(settings)),
        "--data", str(settings.root / "data"),
    ]
    return subprocess.run(command, cwd=settings.root).returncode


def _cmd_run(args: argparse.Namespace) -> int:
    from bot.services import all_services
    from bot.supervisor import PortsBusy, Supervisor
    from bot.training import train

    settings = get_settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    services = all_services(settings)
    urls = (f"chat {settings.url('web')}/ | rasa {settings.url('rasa')} | "
            f"actions {settings.url('actions')}")
    supervisor = Supervisor(services, cwd=str(settings.root))
    try:
        supervisor.check_ports()  # before training, which can take a minute; run_forever checks again
        train(settings)
        print(f"starting: {', '.join(s.name for s in services)} (first start takes about 15 s)", flush=True)
        return supervisor.run_forever(on_ready=f"ready: {urls}")
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
        print(f"sync: {reconcile(settings)} missing case(s) created")
        return 0
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(f"reconciler: checking the tracker store every {args.every:g} s", flush=True)
    while not stop.is_set():
        try:
            reconcile(settings)
        except Exception as error:  # keep watching: a locked or briefly unreachable database recovers
            logging.getLogger("bot.reconciler").error("reconcile failed: %s", type(error).__name__)
        stop.wait(args.every)
    return 0


def _cmd_purge(args: argparse.Namespace) -> int:
    from bot.retention import purge_expired_conversations

    settings = get_settings()
    deleted = purge_expired_conversations(settings)
    print(f"retention: {deleted} conversation(s) idle for more than "
          f"{settings.conversations.retention_days} days deleted")
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from bot.bench import main as bench_main

    return bench_main()


def _cmd_safety_eval(args: argparse.Namespace) -> int:
    from bot.nlu.pipeline_eval import main as eval_main
    from bot.training import model_path

    return eval_main(args.eval_args, default_model=lambda: model_path(get_settings()))


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
    commands.add_parser("bench", help="speed and memory against a plain `rasa init` bot").set_defaults(
        handler=_cmd_bench
    )
    safety_eval = commands.add_parser(
        "safety-eval", add_help=False,
        help="escalation rates of the whole trained pipeline on labelled JSONL (`bot safety-eval -h`)")
    safety_eval.add_argument("eval_args", nargs=argparse.REMAINDER)
    safety_eval.set_defaults(handler=_cmd_safety_eval)
    commands.add_parser("purge", help="delete conversations idle longer than retention_days").set_defaults(
        handler=_cmd_purge
    )
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
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (SettingsError, BuildError, SafetyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
