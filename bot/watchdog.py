"""`python -m bot.watchdog`: stops the supervisor's services when the supervisor dies without doing so.

Why a separate process: a supervisor killed with SIGKILL (`kill -9`, the out-of-memory killer) runs no
code at all. PR_SET_PDEATHSIG (bot/supervisor.py) takes down each service's main process with it, but
not the processes a service started itself (Sanic workers), which the kernel re-parents and keeps.
The watchdog reads the supervisor's pipe on stdin: "+<pgid>" registers a service's process group,
"-<pgid>" forgets one the supervisor stopped itself. The kernel closes the pipe however the supervisor
ends; on that end-of-file the watchdog stops every group still registered, then exits. It runs in its
own session and ignores SIGINT and SIGHUP, so Ctrl-C or a closing terminal cannot take it down first.
"""
from __future__ import annotations

import argparse
import signal
import sys

from bot import process_groups


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.watchdog", description=__doc__)
    parser.add_argument("--grace", type=float, default=10.0, help="seconds between SIGTERM and SIGKILL")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    groups: set[int] = set()
    for line in sys.stdin:
        line = line.strip()
        if line[:1] == "+" and line[1:].isdigit():
            groups.add(int(line[1:]))
        elif line[:1] == "-" and line[1:].isdigit():
            groups.discard(int(line[1:]))
    if groups:
        process_groups.stop(groups, args.grace)
    return 0


if __name__ == "__main__":
    sys.exit(main())
