"""`make load`: simulated people in realistic mixed conversations through the web app, for a bounded time.

    python -m bot.load                                # starts its own stack (SQLite, one process each)
    python -m bot.load --base-url http://127.0.0.1:8000 --people 50 --seconds 120

Why through the web app: that is the only door people use, and it is where the safety net, the rate
limits and the database meet. Each simulated person has their own client and their own source address
on the loopback network (127.0.1.N), as people behind different connections do, so the per-address
limit applies to each as it would to real visitors. People pause between messages as people do.

It reports errors (goal 0: any non-200 answer, transport error or fallback answer), p50/p95/p99 of the
reply time, messages per second, and checks that every risk message got the crisis resources and,
once the reconciler has run, exactly one case. Exit status 0 only when all of that holds.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import httpx

from bot.chat_client import AsyncChatClient, Reply

# Conversations people have with the assistant; RISK marks the message whose answer must carry the
# crisis resources and which must become exactly one case. A risk message ends its conversation, so
# that the count of cases per conversation is exactly the count of risk messages.
RISK = object()
SCRIPTS: dict[str, list] = {
    "grounding": ["hi", "can we do a grounding exercise", "7", "next", "ok", "done that", "go on", "ready",
                  "5", "thanks"],
    "breathing": ["hello", "can we do a breathing exercise", "8", "next", "ok", "done that", "6"],
    "psychoeducation": ["hi", "what kinds of therapy do you offer", "what is cbt", "tell me about dbt",
                        "what is acceptance and commitment therapy", "thanks"],
    "feelings": ["hey", "i feel so anxious", "no", "everything is too much", "no", "thanks"],
    "medication": ["hi", "can i stop taking my antidepressants", "ok thanks"],
    "risk": ["hi", "i feel so alone", (RISK, "i want to kill myself")],
    "risk_mid_exercise": ["hi", "can we do a grounding exercise", "7", "next",
                          (RISK, "i can't do this anymore, i want to end my life")],
}
# How often each is picked: most people do not write a risk message.
WEIGHTS = {"grounding": 3, "breathing": 2, "psychoeducation": 3, "feelings": 3, "medication": 1, "risk": 1,
           "risk_mid_exercise": 1}


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    messages: int = 0
    # (sender id, text) of every risk message, and whether its answer carried the resources
    risk_messages: list[tuple[str, bool]] = field(default_factory=list)
    conversations: int = 0
    senders: set = field(default_factory=set)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


async def person(index: int, base_url: str, deadline: float, tally: Tally, rng: random.Random,
                 think: tuple[float, float], own_address: bool, timeout: float) -> None:
    """One simulated person: conversation after conversation until the deadline."""
    options = {}
    if own_address:  # 127.0.1.1 ... on Linux every 127.x address is this machine
        options["transport"] = httpx.AsyncHTTPTransport(local_address=f"127.0.{1 + index // 250}.{1 + index % 250}")
    client = AsyncChatClient(base_url, timeout=timeout, **options)
    try:
        await asyncio.sleep(rng.uniform(0, think[1]))  # people do not all arrive in the same second
        while time.monotonic() < deadline:
            name = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
            try:
                sender = await client.new_conversation()
            except httpx.HTTPError as error:  # also an HTTPStatusError for a refused start
                tally.errors[f"start:{type(error).__name__}"] += 1
                await asyncio.sleep(rng.uniform(*think))
                continue
            tally.conversations += 1
            tally.senders.add(sender)
            for step in SCRIPTS[name]:
                if time.monotonic() >= deadline:
                    break
                risk = isinstance(step, tuple)
                text = step[1] if risk else step
                started = time.monotonic()
                try:
                    reply: Optional[Reply] = await client.say(sender, text)
                except httpx.HTTPError as error:
                    tally.errors[f"transport:{type(error).__name__}"] += 1
                    reply = None
                tally.latencies.append(time.monotonic() - started)
                tally.messages += 1
                if reply is not None and reply.status != 200:
                    tally.errors[f"http_{reply.status}:{reply.body.get('error', '')}"] += 1
                elif reply is not None and reply.unavailable:
                    tally.errors[f"fallback:{reply.body.get('reason', '')}"] += 1
                if risk:
                    tally.risk_messages.append((sender, bool(reply and reply.has_resources)))
                await asyncio.sleep(rng.uniform(*think))
    finally:
        await client.close()


async def run_load(base_url: str, people: int, seconds: float, think: tuple[float, float] = (2.0, 6.0),
                   seed: int = 11, own_address: bool = True, timeout: float = 30.0) -> tuple[Tally, float]:
    tally = Tally()
    started = time.monotonic()
    deadline = started + seconds
    tasks = [person(i, base_url, deadline, tally, random.Random(seed * 1000 + i), think, own_address, timeout)
             for i in range(people)]
    # Bounded: every person stops starting messages at the deadline; one in flight has `timeout` left.
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=seconds + timeout + 15)
    return tally, time.monotonic() - started


def check_cases(settings, tally: Tally) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Exactly one case per risk message (each conversation has at most one, as its last message)."""
    from bot.escalations import list_cases, reconcile

    reconcile(settings)  # what the web app does every 30 s, now
    per_sender = Counter(case["sender_id"] for case in list_cases(settings))
    risky = {sender for sender, _ in tally.risk_messages}
    missing = sorted(s for s in risky if per_sender[s] == 0)
    duplicated = sorted(s for s in risky if per_sender[s] > 1)
    # Cases of conversations without a risk message (a classifier check-in, say): reported, not failed.
    other = sorted(s for s in per_sender if s in tally.senders and s not in risky)
    return {"risk_conversations": len(risky), "missing": len(missing), "duplicated": len(duplicated),
            "cases_in_other_conversations": len(other)}


def summarise(tally: Tally, elapsed: float, cases: Optional[dict[str, object]]) -> dict[str, object]:
    without = sum(1 for _, ok in tally.risk_messages if not ok)
    return {
        "people_messages": tally.messages,
        "conversations": tally.conversations,
        "seconds": round(elapsed, 1),
        "messages_per_second": round(tally.messages / elapsed, 2) if elapsed else 0,
        "errors": sum(tally.errors.values()),
        "errors_by_kind": dict(tally.errors),
        "p50_ms": round(statistics.median(tally.latencies) * 1000, 1) if tally.latencies else None,
        "p95_ms": round(_percentile(tally.latencies, 95) * 1000, 1),
        "p99_ms": round(_percentile(tally.latencies, 99) * 1000, 1),
        "max_ms": round(max(tally.latencies, default=0) * 1000, 1),
        "risk_messages": len(tally.risk_messages),
        "risk_without_resources": without,
        "cases": cases,
    }


def passed(summary: dict[str, object]) -> bool:
    cases = summary.get("cases") or {}
    return (summary["errors"] == 0 and summary["risk_without_resources"] == 0 and summary["risk_messages"] > 0
            and (not cases or (cases["missing"] == 0 and cases["duplicated"] == 0)))  # type: ignore[index]


def _own_stack(workdir: Path):  # type: ignore[no-untyped-def]
    """Rasa, actions and the web app on free ports with a private SQLite database, as `bot run` starts them."""
    from bot.db import migrate
    from bot.services import all_services
    from bot.settings import load_settings
    from bot.supervisor import Supervisor, free_port
    from bot.training import train

    env = {"BOT_VAR_DIR": str(workdir / "var"), "BOT_RASA_PORT": str(free_port()),
           "BOT_ACTIONS_PORT": str(free_port()), "BOT_WEB_PORT": str(free_port())}
    settings = load_settings(environ={**os.environ, **env})
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    train(settings)
    migrate(settings)
    log = (workdir / "servers.log").open("ab")
    supervisor = Supervisor(all_services(settings), cwd=str(settings.root), env=env, output=log)
    supervisor.start()
    supervisor.wait_until_ready()
    return settings, supervisor, log


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", help="a running web app (default: start one on free ports)")
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--think", type=float, nargs=2, default=(2.0, 6.0), metavar=("MIN", "MAX"),
                        help="seconds a person pauses between messages")
    parser.add_argument("--no-own-address", action="store_true",
                        help="all people from one address (e.g. a remote base URL)")
    parser.add_argument("--no-case-check", action="store_true",
                        help="with --base-url, when this machine cannot read that web app's database")
    parser.add_argument("--report", type=Path, help="also write the summary as JSON here")
    args = parser.parse_args(argv)

    supervisor = log = None
    settings = None
    temp = None
    if args.base_url:
        base_url = args.base_url
        if not args.no_case_check:
            from bot.settings import get_settings

            settings = get_settings()  # the same DATABASE_URL / BOT_VAR_DIR as that web app
    else:
        temp = tempfile.TemporaryDirectory(prefix="bot-load-")
        print("load: starting Rasa, actions and the web app on free ports (SQLite) ...", flush=True)
        settings, supervisor, log = _own_stack(Path(temp.name))
        base_url = settings.url("web")
    try:
        print(f"load: {args.people} people for {args.seconds:g} s against {base_url}", flush=True)
        tally, elapsed = asyncio.run(run_load(base_url, args.people, args.seconds, tuple(args.think),
                                              own_address=not args.no_own_address))
        cases = check_cases(settings, tally) if settings is not None else None
    finally:
        if supervisor is not None:
            supervisor.stop()
        if log is not None:
            log.close()
        if temp is not None:
            temp.cleanup()
    summary = summarise(tally, elapsed, cases)
    print(json.dumps(summary, indent=2))
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    ok = passed(summary)
    print("load: PASS" if ok else "load: FAIL (errors, a risk message without resources, or cases not exactly one)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
