"""`make bench`: speed and memory of our bot against a plain `rasa init` bot trained in the same run.

Reports, never asserts: timing depends on the machine. Targets (README): full train <= 60 s, unchanged
data 0 s, cold start <= 15 s, Rasa server under 1 GB resident, `assess` p99 < 1 ms.
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import httpx
import psutil
import rasa.cli

from bot.build import domain_dir
from bot.services import QUIET_ENV, action_server, rasa_server
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


def _send(client: httpx.Client, url: str, sender: str, text: str) -> float:
    start = time.perf_counter()
    response = client.post(url, json={"sender": sender, "message": text}, timeout=30)
    response.raise_for_status()
    return (time.perf_counter() - start) * 1000


def _measure_chat(result: Result, webhook: str) -> None:
    with httpx.Client() as client:
        latencies = [
            _send(client, webhook, f"bench-seq-{i // 10}", MESSAGES[i % len(MESSAGES)]) for i in range(SEQUENTIAL)
        ]
    result.p50_ms = statistics.median(latencies)
    result.p95_ms = statistics.quantiles(latencies, n=20)[18]

    def sender(index: int) -> None:
        with httpx.Client() as client:
            for i in range(MESSAGES_PER_SENDER):
                _send(client, webhook, f"bench-conc-{index}", MESSAGES[i % len(MESSAGES)])

    start = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENT_SENDERS) as pool:
        list(pool.map(sender, range(CONCURRENT_SENDERS)))
    result.msgs_per_s = CONCURRENT_SENDERS * MESSAGES_PER_SENDER / (time.perf_counter() - start)


def _serve_and_measure(result: Result, rasa: Service, cwd: Path, log: Path,
                       actions: Optional[Service] = None) -> None:
    """Start the servers (the action server first), time the Rasa server's cold start, chat, stop."""
    services = [s for s in (actions, rasa) if s is not None]
    monitors: dict[str, PeakMemory] = {}
    with log.open("ab") as output:
        supervisor = Supervisor(services, cwd=str(cwd), env=QUIET_ENV, output=output)
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
            _measure_chat(result, f"{rasa.health_url.rstrip('/')}/webhooks/rest/webhook")
        finally:
            supervisor.stop()
            result.peak_rss_mb = {name: m.stop() / 2**20 for name, m in monitors.items()}


def bench_ours(settings: Settings, workdir: Path) -> Result:
    result = Result("ours")
    bench_settings = load_settings(environ={
        **os.environ, "BOT_VAR_DIR": str(workdir / "var"),
        "BOT_RASA_PORT": str(free_port()), "BOT_ACTIONS_PORT": str(free_port()),
    })
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
    # Served: the project's model, trained from the same inputs as the timed one.
    _serve_and_measure(result, rasa_server(bench_settings), settings.root, workdir / "ours.log",
                       actions=action_server(bench_settings))
    return result


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
    _serve_and_measure(result, server, project, workdir / "baseline.log")
    return result


def _row(label: str, ours: Any, base: Any, fmt: str) -> str:
    ratio = f"{ours / base:.2f}" if isinstance(ours, (int, float)) and base else "-"
    return f"  {label:<32} {format(ours, fmt):>12} {format(base, fmt):>12} {ratio:>8}"


def report(ours: Result, base: Result, safety: Optional[dict[str, Any]]) -> str:
    lines = [f"  {'':<32} {'ours':>12} {'rasa init':>12} {'ratio':>8}"]
    lines.append(_row("full train (s)", ours.train_s, base.train_s, ".1f"))
    lines.append(f"  {'unchanged data train (s)':<32} {ours.unchanged_train_s:>12.2f}")
    lines.append(_row("cold start until it answers (s)", ours.cold_start_s, base.cold_start_s, ".1f"))
    lines.append(_row("reply p50 (ms, 200 sequential)", ours.p50_ms, base.p50_ms, ".1f"))
    lines.append(_row("reply p95 (ms, 200 sequential)", ours.p95_ms, base.p95_ms, ".1f"))
    lines.append(_row("msgs/s (20 concurrent senders)", ours.msgs_per_s, base.msgs_per_s, ".1f"))
    lines.append(_row("rasa server peak RSS (MB)", ours.peak_rss_mb.get("rasa", 0), base.peak_rss_mb.get("rasa", 0), ".0f"))
    lines.append(f"  {'action server peak RSS (MB)':<32} {ours.peak_rss_mb.get('actions', 0):>12.0f}")
    if safety:
        lines.append("")
        lines.append("  safety.assess")
        for key, value in safety.items():
            lines.append(f"    {key:<40} {value:.4g}" if isinstance(value, float) else f"    {key:<40} {value}")
    return "\n".join(lines)


def main() -> int:
    settings = get_settings()
    workdir = settings.var_dir / "bench"
    workdir.mkdir(parents=True, exist_ok=True)
    print("bench: our bot (train, cold start, 200 sequential + 20 concurrent senders)...", flush=True)
    ours = bench_ours(settings, workdir)
    print("bench: a plain `rasa init` bot, same measurements (several minutes: TensorFlow)...", flush=True)
    base = bench_baseline(workdir)
    try:
        from safety.bench import run as safety_bench

        safety = safety_bench()
    except ImportError:
        safety = None
    text = report(ours, base, safety)
    print(text)
    (workdir / "results.json").write_text(json.dumps({"ours": ours.__dict__, "baseline": base.__dict__,
                                                      "safety": safety}, indent=2, default=str))
    return 0
