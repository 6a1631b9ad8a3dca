"""`make bench`: speed, CPU and memory of our bot against a plain `rasa init` bot trained in the same run.

Reports, never asserts: timing depends on the machine. Targets (README, issue 13): full train <= 60 s,
unchanged data 0 s, cold start <= 10 s, Rasa server <= 650 MB resident, web app <= 200 MB,
`assess` p99 < 1 ms; messages/s with 20 concurrent senders >= 2x the figure before issue 13 and >= 1.5x
the plain bot's; reply p95 <= the plain bot's; Rasa CPU per message half the figure before issue 13.

Phases, for both bots: 200 sequential messages (latency), 20 concurrent senders (throughput), a fixed
load of 100 messages with each process's CPU time read before and after (ours through the web app's
gateway, as a person's messages arrive; the plain bot straight to its REST channel), and one
300-message conversation (reply time as a conversation grows).
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import socket
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import httpx
import psutil
import rasa.cli

from bot.build import domain_dir
from bot.db import migrate, temporary_postgres_database
from bot.services import QUIET_ENV, action_server, rasa_server, web_app
from bot.settings import Settings, get_settings, load_settings
from bot.supervisor import Service, Supervisor, free_port
from bot.training import train

MESSAGES = [
    "hi", "i feel really low today", "can we do a breathing exercise", "what is cbt",
    "im so anxious i cant think", "thanks", "are you a bot", "what is dbt", "i cant sleep", "bye",
]
SEQUENTIAL = 200
CONCURRENT_SENDERS = 20
MESSAGES_PER_SENDER = 10
# The CPU phase: 10 conversations of 10 messages, 5 at a time (within the web app's rate limits).
CPU_SENDERS = 10
CPU_MESSAGES_PER_SENDER = 10
CPU_PARALLEL = 5
# The conversation-length curve: one conversation this long (ours; the plain bot, whose reply time grows
# with every message, only to BASELINE_CURVE_LENGTH); median reply time of the CURVE_WINDOW messages up
# to each of CURVE_POINTS. Target (issue 11): at message 1,000 at most CURVE_TARGET_RATIO x message 10,
# on SQLite and on PostgreSQL.
CURVE_LENGTH = 1000
BASELINE_CURVE_LENGTH = 300
CURVE_POINTS = (10, 100, 300, 1000)
CURVE_WINDOW = 10
CURVE_TARGET_RATIO = 1.5

# Figures from before issue 13 (same machine): the throughput, and the Rasa CPU per message of
# the stack as it was at commit 6c1cd73 (stock `rasa run`, the domain sent on every action call): median
# of 3 runs of this bench's CPU phase, alternated with 3 runs of the current stack in one session
# (35.0 vs 24.5 ms). A full `make bench` at 6c1cd73 on a busier machine gave 41.5 ms.
BEFORE_MSGS_PER_S = 20.3
BEFORE_RASA_CPU_MS = 35.0


class PeakMemory:
    """Samples a process tree's resident memory until stopped; keeps the peak."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                root = psutil.Process(self.pid)
                rss = sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
                self.peak = max(self.peak, rss)
            except psutil.Error:
                pass
            self._stop.wait(0.2)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its live children (e.g. Sanic workers)."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


def tree_rss(pid: int) -> int:
    try:
        root = psutil.Process(pid)
        return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
    except psutil.Error:
        return 0


@dataclass
class Result:
    name: str
    train_s: float = 0.0
    unchanged_train_s: Optional[float] = None
    cold_start_s: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    msgs_per_s: float = 0.0
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    # CPU milliseconds per message of each process during the fixed load (rasa, actions, web).
    cpu_ms_per_msg: dict[str, float] = field(default_factory=dict)
    # Median reply time (ms) around message n of one long conversation.
    curve_ms: dict[int, float] = field(default_factory=dict)
    # Mean Rasa server CPU ms per message at the same points: what grows, with far less noise from
    # other work on the machine than the reply time.
    curve_cpu_ms: dict[int, float] = field(default_factory=dict)
    # The web app's resident memory after it served the CPU phase: the normal path, Rasa answering every
    # message (the web app builds its MiniLM session only for messages it answers itself).
    web_rss_mb: Optional[float] = None


def _send(client: httpx.Client, url: str, sender: str, text: str) -> float:
    start = time.perf_counter()
    response = client.post(url, json={"sender": sender, "message": text}, timeout=30)
    response.raise_for_status()
    return (time.perf_counter() - start) * 1000


def _send_gateway(client: httpx.Client, url: str, sender: str, text: str) -> float:
    start = time.perf_counter()
    response = client.post(url, json={"message": text}, timeout=30)  # the conversation: client.headers
    response.raise_for_status()
    if response.json().get("assistant_unavailable"):
        raise RuntimeError("the web app answered with its fallback: Rasa did not answer in time")
    return (time.perf_counter() - start) * 1000


def _measure_cpu(result: Result, pids: dict[str, int], url: str, gateway: bool, prefix: str = "bench-cpu") -> None:
    """CPU ms per message of each process over a fixed load (through the web app when `gateway`)."""
    send = _send_gateway if gateway else _send

    def conversation(index: int) -> None:
        sender = str(uuid.uuid4()) if gateway else f"{prefix}-{index}"
        with httpx.Client() as client:
            if gateway:  # the gateway makes the conversation and its secret (bot/web/conversation.py)
                started = client.post(f"{url}/start", json={}, timeout=30)
                started.raise_for_status()
                client.headers["X-Chat-Token"] = started.json()["token"]
            for i in range(CPU_MESSAGES_PER_SENDER):
                send(client, url, sender, MESSAGES[i % len(MESSAGES)])

    before = {name: tree_cpu_seconds(pid) for name, pid in pids.items()}
    with ThreadPoolExecutor(CPU_PARALLEL) as pool:
        list(pool.map(conversation, range(CPU_SENDERS)))
    count = CPU_SENDERS * CPU_MESSAGES_PER_SENDER
    result.cpu_ms_per_msg = {
        name: (tree_cpu_seconds(pid) - before[name]) * 1000 / count for name, pid in pids.items()
    }


def _measure_curve(result: Result, webhook: str, length: int = CURVE_LENGTH, rasa_pid: Optional[int] = None) -> None:
    """Reply times (and the Rasa server's CPU time, given its pid) along one conversation of `length`
    messages; medians of the CURVE_WINDOW messages up to each of CURVE_POINTS."""
    sender = f"bench-long-{uuid.uuid4().hex[:8]}"
    latencies = []
    cpu_seconds = [tree_cpu_seconds(rasa_pid) if rasa_pid else 0.0]  # after 0, 1, 2, ... messages
    with httpx.Client() as client:
        for i in range(length):
            latencies.append(_send(client, webhook, sender, MESSAGES[i % len(MESSAGES)]))
            cpu_seconds.append(tree_cpu_seconds(rasa_pid) if rasa_pid else 0.0)
    for point in CURVE_POINTS:
        if point <= length:
            result.curve_ms[point] = statistics.median(latencies[point - CURVE_WINDOW:point])
            if rasa_pid:  # the mean over the window: CPU time is counted in 10 ms clock ticks
                used = cpu_seconds[point] - cpu_seconds[point - CURVE_WINDOW]
                result.curve_cpu_ms[point] = used * 1000 / CURVE_WINDOW


def curve_ratio(result: Result) -> Optional[float]:
    """Median reply time at message 1,000 over that at message 10 (None when not measured)."""
    first, last = result.curve_ms.get(CURVE_POINTS[0]), result.curve_ms.get(CURVE_POINTS[-1])
    return last / first if first and last else None


def _measure_chat(result: Result, webhook: str) -> None:
    with httpx.Client() as client:
        latencies = [
            _send(client, webhook, f"bench-seq-{i // 10}", MESSAGES[i % len(MESSAGES)]) for i in range(SEQUENTIAL)
        ]
    result.p50_ms = statistics.median(latencies)
    result.p95_ms = statistics.quantiles(latencies, n=20)[18]

    _measure_throughput(result, webhook)


def _measure_throughput(result: Result, webhook: str) -> None:
    """Messages per second with CONCURRENT_SENDERS people writing at once."""
    prefix = uuid.uuid4().hex[:6]

    def sender(index: int) -> None:
        with httpx.Client() as client:
            for i in range(MESSAGES_PER_SENDER):
                _send(client, webhook, f"bench-conc-{prefix}-{index}", MESSAGES[i % len(MESSAGES)])

    start = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENT_SENDERS) as pool:
        list(pool.map(sender, range(CONCURRENT_SENDERS)))
    result.msgs_per_s = CONCURRENT_SENDERS * MESSAGES_PER_SENDER / (time.perf_counter() - start)


def _serve_and_measure(result: Result, rasa: Service, cwd: Path, log: Path,
                       actions: Optional[Service] = None, web: Optional[Service] = None,
                       env: Optional[dict[str, str]] = None, curve_length: int = CURVE_LENGTH) -> None:
    """Start the servers (the action server first), time the Rasa server's cold start, then the web
    app; chat, read CPU times, follow one long conversation; stop."""
    services = [s for s in (actions, rasa, web) if s is not None]
    monitors: dict[str, PeakMemory] = {}
    with log.open("ab") as output:
        supervisor = Supervisor(services, cwd=str(cwd), env={**QUIET_ENV, **(env or {})}, output=output)
        try:
            if actions is not None:
                supervisor.start_service(actions)
                monitors["actions"] = PeakMemory(actions.process.pid)
                supervisor.wait_until_ready(services=[actions])
            started = time.monotonic()
            supervisor.start_service(rasa)
            monitors["rasa"] = PeakMemory(rasa.process.pid)
            supervisor.wait_until_ready(services=[rasa])
            result.cold_start_s = time.monotonic() - started
            if web is not None:
                supervisor.start_service(web)
                monitors["web"] = PeakMemory(web.process.pid)
                supervisor.wait_until_ready(services=[web])
            webhook = f"{rasa.health_url.rstrip('/')}/webhooks/rest/webhook"
            _measure_chat(result, webhook)
            pids = {s.name: s.process.pid for s in services}
            if web is not None:
                gateway = f"{web.health_url.rsplit('/', 1)[0]}/api/chat"
                _measure_cpu(result, pids, gateway, gateway=True)
                result.web_rss_mb = tree_rss(web.process.pid) / 2**20
            else:
                _measure_cpu(result, pids, webhook, gateway=False)
            _measure_curve(result, webhook, curve_length, rasa.process.pid)
        finally:
            supervisor.stop()
            result.peak_rss_mb = {name: m.stop() / 2**20 for name, m in monitors.items()}


def bench_ours(settings: Settings, workdir: Path) -> Result:
    result = Result("ours")
    env = {
        "BOT_VAR_DIR": str(workdir / "var"), "BOT_RASA_PORT": str(free_port()),
        "BOT_ACTIONS_PORT": str(free_port()), "BOT_WEB_PORT": str(free_port()),
    }
    shutil.rmtree(workdir / "var", ignore_errors=True)  # a fresh tracker store: the curve starts at message 1
    bench_settings = load_settings(environ={**os.environ, **env})
    out = workdir / "models"
    train(bench_settings)  # writes var/build for this run
    start = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "rasa", "train", "--force", "--config", str(settings.root / "config.yml"),
         "--domain", str(domain_dir(bench_settings)), "--data", str(settings.root / "data"),
         "--out", str(out), "--fixed-model-name", "bench"],
        cwd=settings.root, check=True, capture_output=True,
    )
    result.train_s = time.monotonic() - start
    start = time.monotonic()
    train(bench_settings)
    result.unchanged_train_s = time.monotonic() - start
    migrate(bench_settings)  # as `bot run` does: the web app refuses a database without its tables
    # Served: the project's model, trained from the same inputs as the timed one.
    _serve_and_measure(result, rasa_server(bench_settings), settings.root, workdir / "ours.log",
                       actions=action_server(bench_settings), web=web_app(bench_settings), env=env)
    return result


POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432"
# The Redis of the phases with PostgreSQL (lock store): services.redis_url (REDIS_URL) when set, so a
# bench on a shared machine can take its own database number; else this one.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def bench_redis_url(settings: Settings) -> str:
    """The Redis URL the PostgreSQL phases give the Rasa server: the configured one, else DEFAULT_REDIS_URL."""
    return settings.services.redis_url or DEFAULT_REDIS_URL


def check_redis_reachable(redis_url: str, timeout: float = 2) -> None:
    """Raise OSError unless something accepts a TCP connection at the URL's host and port (default 6379)."""
    from urllib.parse import urlsplit

    parts = urlsplit(redis_url)
    socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=timeout).close()


def postgres_and_redis(settings: Settings, phase: str) -> Optional[tuple[Any, str, str]]:
    """(the entered temporary database to __exit__, its URL, the Redis URL) for a phase on PostgreSQL + Redis,
    or None, having said why `phase` is skipped (an optional phase: neither server is needed to bench)."""
    redis_url = bench_redis_url(settings)
    try:
        check_redis_reachable(redis_url)
        database = temporary_postgres_database(POSTGRES_SERVER, "bot_bench")
        database_url = database.__enter__()
    except Exception as error:  # noqa: BLE001 - optional phase: say why it is skipped
        print(f"bench: skipping {phase} (needs PostgreSQL on 127.0.0.1 and Redis at {redis_url}): {error}")
        return None
    return database, database_url, redis_url


def bench_workers(settings: Settings, workdir: Path, workers: int = 2) -> Optional[Result]:
    """Throughput, Rasa CPU and the conversation-length curve with `workers` Rasa processes (PostgreSQL +
    Redis); None without them."""
    servers = postgres_and_redis(settings, f"{workers} Rasa workers")
    if servers is None:
        return None
    database, database_url, redis_url = servers
    try:
        result = Result(f"ours, {workers} Rasa workers")
        env = {
            "BOT_VAR_DIR": str(workdir / "var-workers"), "BOT_RASA_PORT": str(free_port()),
            "BOT_ACTIONS_PORT": str(free_port()), "BOT_RASA_WORKERS": str(workers),
            "DATABASE_URL": database_url, "REDIS_URL": redis_url,
        }
        bench_settings = load_settings(environ={**os.environ, **env})
        train(bench_settings)  # the model is current (bench_ours); this writes the endpoints
        rasa, actions = rasa_server(bench_settings), action_server(bench_settings)
        with (workdir / "workers.log").open("ab") as output:
            supervisor = Supervisor([actions, rasa], cwd=str(bench_settings.root), env={**QUIET_ENV, **env},
                                    output=output)
            try:
                supervisor.start()
                supervisor.wait_until_ready()
                webhook = f"{rasa.health_url.rstrip('/')}/webhooks/rest/webhook"
                _measure_cpu(result, {"rasa": rasa.process.pid}, webhook, gateway=False)
                _measure_throughput(result, webhook)
                result.peak_rss_mb = {"rasa": tree_rss(rasa.process.pid) / 2**20}
                _measure_curve(result, webhook, rasa_pid=rasa.process.pid)  # the length target, on PostgreSQL
            finally:
                supervisor.stop()
        return result
    finally:
        database.__exit__(None, None, None)


def bench_baseline(workdir: Path) -> Result:
    result = Result("rasa init")
    project = workdir / "baseline"
    shutil.rmtree(project, ignore_errors=True)
    # Exactly the project `rasa init --no-prompt` creates, without the training it would also run.
    shutil.copytree(Path(rasa.cli.__file__).parent / "initial_project", project)
    start = time.monotonic()
    subprocess.run([sys.executable, "-m", "rasa", "train", "--fixed-model-name", "baseline"],
                   cwd=project, check=True, capture_output=True)
    result.train_s = time.monotonic() - start
    port = free_port()
    server = Service("rasa", [sys.executable, "-m", "rasa", "run", "--model", str(project / "models" / "baseline.tar.gz"),
                            "--port", str(port), "--interface", "127.0.0.1"],
                   health_url=f"http://127.0.0.1:{port}/")
    _serve_and_measure(result, server, project, workdir / "baseline.log", curve_length=BASELINE_CURVE_LENGTH)
    return result


def _row(label: str, ours: Any, base: Any, fmt: str) -> str:
    ratio = f"{ours / base:.2f}" if isinstance(ours, (int, float)) and base else "-"
    return f"  {label:<32} {format(ours, fmt):>12} {format(base, fmt):>12} {ratio:>8}"


def targets(ours: Result, base: Result) -> list[tuple[str, str, bool]]:
    """(target, measured, met) for the targets of issue 13, ratios from this run."""
    checks: list[tuple[str, str, bool]] = []
    rate = ours.msgs_per_s
    checks.append((f"msgs/s >= 2x before ({2 * BEFORE_MSGS_PER_S:.1f})", f"{rate:.1f}", rate >= 2 * BEFORE_MSGS_PER_S))
    checks.append((f"msgs/s >= 1.5x rasa init ({1.5 * base.msgs_per_s:.1f})", f"{rate:.1f}",
                   rate >= 1.5 * base.msgs_per_s))
    checks.append((f"reply p95 <= rasa init ({base.p95_ms:.0f} ms)", f"{ours.p95_ms:.0f} ms", ours.p95_ms <= base.p95_ms))
    cpu = ours.cpu_ms_per_msg.get("rasa", 0.0)
    if BEFORE_RASA_CPU_MS:
        checks.append((f"rasa CPU/msg <= half of before ({BEFORE_RASA_CPU_MS / 2:.1f} ms)", f"{cpu:.1f} ms",
                       cpu <= BEFORE_RASA_CPU_MS / 2))
    checks.append(("cold start <= 10 s", f"{ours.cold_start_s:.1f} s", ours.cold_start_s <= 10))
    rasa_rss = ours.peak_rss_mb.get("rasa", 0.0)
    checks.append(("rasa server peak RSS <= 650 MB", f"{rasa_rss:.0f} MB", rasa_rss <= 650))
    web_rss = ours.peak_rss_mb.get("web", 0.0)
    checks.append(("web app peak RSS <= 200 MB", f"{web_rss:.0f} MB", web_rss <= 200))
    return checks


def curve_targets(*results: Optional[Result]) -> list[tuple[str, str, bool]]:
    """(target, measured, met) for issue 11's conversation-length target, per store measured."""
    checks = []
    for result, store in zip(results, ("SQLite", "PostgreSQL")):
        ratio = curve_ratio(result) if result is not None else None
        if ratio is None:
            continue
        checks.append((f"p50 at msg {CURVE_POINTS[-1]} <= {CURVE_TARGET_RATIO}x msg {CURVE_POINTS[0]} ({store})",
                       f"{ratio:.2f}x", ratio <= CURVE_TARGET_RATIO))
    return checks


def report(ours: Result, base: Result, safety: Optional[dict[str, Any]], workers: Optional[Result] = None) -> str:
    lines = [f"  {'':<32} {'ours':>12} {'rasa init':>12} {'ratio':>8}"]
    lines.append(_row("full train (s)", ours.train_s, base.train_s, ".1f"))
    lines.append(f"  {'unchanged data train (s)':<32} {ours.unchanged_train_s:>12.2f}")
    lines.append(_row("cold start until it answers (s)", ours.cold_start_s, base.cold_start_s, ".1f"))
    lines.append(_row("reply p50 (ms, 200 sequential)", ours.p50_ms, base.p50_ms, ".1f"))
    lines.append(_row("reply p95 (ms, 200 sequential)", ours.p95_ms, base.p95_ms, ".1f"))
    lines.append(_row("msgs/s (20 concurrent senders)", ours.msgs_per_s, base.msgs_per_s, ".1f"))
    for name in ("rasa", "actions", "web"):
        if name in ours.cpu_ms_per_msg:
            lines.append(_row(f"{name} CPU ms per message", ours.cpu_ms_per_msg[name],
                              base.cpu_ms_per_msg.get(name, float("nan")), ".1f"))
    for point in CURVE_POINTS:
        lines.append(_row(f"reply p50 at message ~{point} (ms)", ours.curve_ms.get(point, 0.0),
                          base.curve_ms.get(point, float("nan")), ".1f"))
    for point in CURVE_POINTS:
        lines.append(_row(f"rasa CPU/msg at message ~{point} (ms)", ours.curve_cpu_ms.get(point, 0.0),
                          base.curve_cpu_ms.get(point, float("nan")), ".1f"))
    lines.append(_row("rasa server peak RSS (MB)", ours.peak_rss_mb.get("rasa", 0), base.peak_rss_mb.get("rasa", 0), ".0f"))
    lines.append(f"  {'action server peak RSS (MB)':<32} {ours.peak_rss_mb.get('actions', 0):>12.0f}")
    lines.append(f"  {'web app peak RSS (MB)':<32} {ours.peak_rss_mb.get('web', 0):>12.0f}")
    if workers is not None:
        lines.append("")
        lines.append(f"  {workers.name} (PostgreSQL tracker store, Redis lock store)")
        lines.append(_row("msgs/s (20 concurrent senders)", workers.msgs_per_s, base.msgs_per_s, ".1f"))
        lines.append(_row("rasa CPU ms per message", workers.cpu_ms_per_msg.get("rasa", 0.0),
                          base.cpu_ms_per_msg.get("rasa", float("nan")), ".1f"))
        lines.append(f"  {'rasa server RSS, all workers (MB)':<32} {workers.peak_rss_mb.get('rasa', 0):>12.0f}")
        for point in CURVE_POINTS:
            lines.append(f"  {f'reply p50 at message ~{point} (ms)':<32} {workers.curve_ms.get(point, 0.0):>12.1f}")
        for point in CURVE_POINTS:
            lines.append(f"  {f'rasa CPU/msg at message ~{point} (ms)':<32} {workers.curve_cpu_ms.get(point, 0.0):>12.1f}")
    lines.append("")
    lines.append("  targets (issue 13)")
    for target, measured, met in targets(ours, base):
        lines.append(f"    {target:<46} {measured:>10}  {'met' if met else 'NOT met'}")
    lines.append("  targets (issue 11: reply time as one conversation grows)")
    for target, measured, met in curve_targets(ours, workers):
        lines.append(f"    {target:<46} {measured:>10}  {'met' if met else 'NOT met'}")
    if safety:
        lines.append("")
        lines.append("  safety.assess")
        for key, value in safety.items():
            lines.append(f"    {key:<40} {value:.4g}" if isinstance(value, float) else f"    {key:<40} {value}")
    return "\n".join(lines)


def _curve_on(settings: Settings, workdir: Path, name: str, extra_env: dict[str, str],
              length: int = CURVE_LENGTH) -> Result:
    """Only the conversation-length curve, on one Rasa server and action server with `extra_env`'s stores."""
    result = Result(name)
    env = {"BOT_VAR_DIR": str(workdir / f"var-curve-{name}"), "BOT_RASA_PORT": str(free_port()),
           "BOT_ACTIONS_PORT": str(free_port()), **extra_env}
    shutil.rmtree(workdir / f"var-curve-{name}", ignore_errors=True)
    curve_settings = load_settings(environ={**os.environ, **env})
    train(curve_settings)
    if curve_settings.database_url.startswith("sqlite"):
        from bot.db import migrate

        migrate(curve_settings)
    rasa, actions = rasa_server(curve_settings), action_server(curve_settings)
    with (workdir / f"curve-{name}.log").open("ab") as output:
        supervisor = Supervisor([actions, rasa], cwd=str(settings.root), env={**QUIET_ENV, **env}, output=output)
        try:
            supervisor.start()
            supervisor.wait_until_ready()
            _measure_curve(result, f"{rasa.health_url.rstrip('/')}/webhooks/rest/webhook", length, rasa.process.pid)
        finally:
            supervisor.stop()
    return result


def curve_main(length: int = CURVE_LENGTH) -> int:
    """`bot bench --curve`: only the conversation-length target, on SQLite and (when both answer on
    127.0.0.1) PostgreSQL + Redis; a few minutes instead of the whole bench. A shorter `length` (e.g.
    300, with BOT_TRACKER_WINDOW_TURNS=0 to see Rasa's stock loading) reports the points it reaches."""
    settings = get_settings()
    workdir = settings.var_dir / "bench"
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"bench: one {length}-message conversation on SQLite...", flush=True)
    sqlite = _curve_on(settings, workdir, "sqlite", {}, length)
    postgres: Optional[Result] = None
    servers = postgres_and_redis(settings, "PostgreSQL")
    if servers is not None:
        database, database_url, redis_url = servers
        try:
            print(f"bench: one {length}-message conversation on PostgreSQL + Redis...", flush=True)
            postgres = _curve_on(settings, workdir, "postgres", {"DATABASE_URL": database_url, "REDIS_URL": redis_url},
                                 length)
        finally:
            database.__exit__(None, None, None)
    for result in (sqlite, postgres):
        if result is not None:
            points = ", ".join(f"~{p}: {result.curve_ms[p]:.1f}" for p in CURVE_POINTS if p in result.curve_ms)
            print(f"  {result.name:<10} reply p50 (ms) at message {points}")
            points = ", ".join(f"~{p}: {result.curve_cpu_ms[p]:.1f}" for p in CURVE_POINTS if p in result.curve_cpu_ms)
            print(f"  {result.name:<10} Rasa CPU per message (ms) at message {points}")
    for target, measured, met in curve_targets(sqlite, postgres):
        print(f"    {target:<46} {measured:>10}  {'met' if met else 'NOT met'}")
    return 0


def cpu_main(runs: int = 3) -> int:
    """`bot bench --cpu`: only the Rasa server's CPU per message over the CPU phase's fixed load (REST, no
    web app), `runs` times on one server after one warm-up run; a few minutes instead of the whole bench.
    On the configured database (SQLite by default; DATABASE_URL for PostgreSQL). For an A/B comparison,
    run it alternately in two checkouts: CPU time varies far less than latency on a shared machine."""
    settings = get_settings()
    workdir = settings.var_dir / "bench"
    workdir.mkdir(parents=True, exist_ok=True)
    env = {"BOT_VAR_DIR": str(workdir / "var-cpu"), "BOT_RASA_PORT": str(free_port()),
           "BOT_ACTIONS_PORT": str(free_port())}
    shutil.rmtree(workdir / "var-cpu", ignore_errors=True)
    cpu_settings = load_settings(environ={**os.environ, **env})
    train(cpu_settings)
    if cpu_settings.database_url.startswith("sqlite"):
        migrate(cpu_settings)  # as `bot run` does (the web app's tables; WAL on the shared file)
    rasa, actions = rasa_server(cpu_settings), action_server(cpu_settings)
    measured = []
    with (workdir / "cpu.log").open("ab") as output:
        supervisor = Supervisor([actions, rasa], cwd=str(settings.root), env={**QUIET_ENV, **env}, output=output)
        try:
            supervisor.start()
            supervisor.wait_until_ready()
            webhook = f"{rasa.health_url.rstrip('/')}/webhooks/rest/webhook"
            for run in range(runs + 1):
                result = Result("ours")
                _measure_cpu(result, {"rasa": rasa.process.pid}, webhook, gateway=False,
                             prefix=f"bench-cpu-{uuid.uuid4().hex[:6]}")
                if run:  # the first run warms the server up (lazy imports, caches)
                    measured.append(result.cpu_ms_per_msg["rasa"])
        finally:
            supervisor.stop()
    runs_text = ", ".join(f"{ms:.1f}" for ms in measured)
    print(f"bench: Rasa CPU per message (ms), {CPU_SENDERS * CPU_MESSAGES_PER_SENDER} messages a run: {runs_text}; "
          f"median {statistics.median(measured):.1f} (load average {os.getloadavg()[0]:.1f})")
    return 0


def main() -> int:
    settings = get_settings()
    workdir = settings.var_dir / "bench"
    workdir.mkdir(parents=True, exist_ok=True)
    print("bench: our bot (train, cold start, 200 sequential, 20 concurrent senders, CPU, a 300-message "
          "conversation)...", flush=True)
    ours = bench_ours(settings, workdir)
    print("bench: a plain `rasa init` bot, same measurements (several minutes: TensorFlow)...", flush=True)
    base = bench_baseline(workdir)
    print("bench: our bot with 2 Rasa workers on PostgreSQL + Redis (throughput, CPU)...", flush=True)
    workers = bench_workers(settings, workdir)
    try:
        from safety.bench import run as safety_bench

        safety = safety_bench()
    except ImportError:
        safety = None
    text = report(ours, base, safety, workers)
    print(text)
    (workdir / "results.json").write_text(json.dumps({"ours": ours.__dict__, "baseline": base.__dict__,
                                                      "workers": workers.__dict__ if workers else None,
                                                      "safety": safety}, indent=2, default=str))
    return 0
