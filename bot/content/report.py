"""``make report``: one HTML page, var/reports/index.html, with what content designers need to judge a change.

Sections (each runs on its own; a part that cannot run says why and the rest still appears):
- content checks: the lint and the safety contract (as in ``make check-content``, without ``bot validate``);
- intent classification: ``rasa test nlu --cross-validation --folds 5`` (per-intent precision, recall, F1,
  macro-F1, the confusion matrix, the most confused pairs with examples), each intent beside its figures
  in the committed baseline (intent_baseline.yml: the README's 0.86 at 70575a1, before issue 12 merged
  self_harm_urge; measured the same way), so a change to data/nlu/ or config.yml shows what it gained and
  lost per intent. 5 folds, not 3, because that is
  the README's figure and the baseline's. Reused while config.yml and data/nlu/ are unchanged (a
  fingerprint in var/reports/nlu/), because it is the slow part (a few minutes);
- conversation tests: ``rasa test core --stories tests/test_stories`` against the trained model
  (``bot train`` first; it does nothing when the model is up to date);
- safety: ``python -m safety.evaluate`` (rules and risk model) and ``bot safety-eval`` (the whole trained
  pipeline) over tests/safety/corpus/ and tests/safety/blind/;
- story graph: ``rasa visualize`` into var/reports/graph.html.

Run: ``python -m bot.content.report [--no-train] [--fresh] [--seed N]`` (``--seed``: the same folds on every
run, bot.content.seeded_rasa, so a before/after difference is not the split's). A new baseline, after a cross-validation
(``rasa test nlu --cross-validation --out DIR``): ``python -m bot.content.report --save-baseline DIR``.
"""
from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # `bot build` imports spaCy, which imports TensorFlow

import argparse
import datetime as dt
import hashlib
import importlib.util
import json
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from jinja2 import Environment, FileSystemLoader, select_autoescape

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RASA = [sys.executable, "-m", "rasa"]
NLU_FOLDS = 5  # the README's intent-accuracy figure and the baseline's
BASELINE_FILE = HERE / "intent_baseline.yml"
TOP_CONFUSIONS = 12
EXAMPLES_PER_PAIR = 4
TAIL = 40  # lines of a failed command's output shown in the report


@dataclass
class Section:
    title: str
    status: str = "ok"  # ok | problems | not run
    note: str = ""
    command: str = ""
    seconds: float = 0.0
    output: str = ""  # tail of the command's output, shown when something went wrong
    data: dict[str, Any] = field(default_factory=dict)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", "BROWSER": "true",
                "PYTHONPATH": str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")})
    return env


def _tail(text: str, lines: int = TAIL) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _run(command: list[str], section: Section, timeout: int = 900) -> Optional[subprocess.CompletedProcess]:
    section.command = " ".join(str(part) for part in command)
    started = time.monotonic()
    try:
        result = subprocess.run(command, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as error:
        section.status, section.note = "problems", f"timed out after {timeout} s"
        section.output = _tail((error.stdout or b"").decode(errors="replace") if isinstance(error.stdout, bytes)
                               else (error.stdout or ""))
        return None
    finally:
        section.seconds += time.monotonic() - started
    if result.returncode != 0:
        section.status = "problems"
        section.note = f"exit code {result.returncode}"
        section.output = _tail(result.stdout + "\n" + result.stderr)
    return result


def _shown(path: Path) -> str:
    """A path as the commands get it: relative to the project root when inside it (they run there)."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _fingerprint(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        if path.is_file():
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


# --- content checks -----------------------------------------------------------------------------------

def content_checks() -> Section:
    from bot.content.check import run_checks

    section = Section("Content checks", command="python -m bot.content.check")
    started = time.monotonic()
    findings, contract = run_checks(ROOT)
    section.seconds = time.monotonic() - started
    section.data = {"findings": [str(f) for f in findings], "contract": [str(f) for f in contract]}
    if findings or contract:
        section.status = "problems"
        section.note = f"{len(findings)} lint finding(s), {len(contract)} safety contract finding(s)"
    else:
        section.note = "no findings; safety contract intact"
    return section


# --- NLU cross-validation -----------------------------------------------------------------------------

def nlu_inputs() -> list[Path]:
    """What the cross-validation depends on: the pipeline and its own components (bot/nlu: the word gate, the
    safety component), the NLU data, and the safety code and rules."""
    safety = [p for p in (ROOT / "safety").rglob("*") if p.suffix in (".py", ".yml") and "__pycache__" not in p.parts]
    components = sorted((ROOT / "bot" / "nlu").glob("*.py"))
    return [ROOT / "config.yml"] + components + sorted((ROOT / "data" / "nlu").rglob("*.yml")) + sorted(safety)


def nlu_command(out: Path, seed: Optional[int] = None) -> list[str]:
    """The README's cross-validation command, through bot.content.seeded_rasa: with ``seed`` the folds are
    the same on every run (a before/after difference is then the change's, not the split's); always with
    its speed-ups, which change no figure (each text encoded once; no evaluation of the training splits)."""
    launcher = [sys.executable, "-m", "bot.content.seeded_rasa", *(["--seed", str(seed)] if seed is not None else []),
                "--test-folds-only"]
    return launcher + ["test", "nlu", "--cross-validation", "--folds", str(NLU_FOLDS), "--config", "config.yml",
                       "--nlu", "data/nlu", "--out", _shown(out)]


def start_nlu(out: Path, fresh: bool, seed: Optional[int] = None) -> tuple[Section, Optional[subprocess.Popen], str]:
    """Start the cross-validation in the background (it is the slowest part); reuse results if unchanged."""
    section = Section(f"Intent classification ({NLU_FOLDS}-fold cross-validation)")
    section.data["folds"] = NLU_FOLDS
    section.data["seed"] = seed
    command = nlu_command(out, seed)
    section.command = "rasa " + " ".join(command[command.index("test"):]) + \
        (f" (folds drawn with seed {seed}: python -m bot.content.seeded_rasa --seed {seed} ...)" if seed is not None else "")
    stamp = _fingerprint(nlu_inputs()) + (f" seed={seed}" if seed is not None else "")
    if not fresh and (out / ".fingerprint").is_file() and (out / ".fingerprint").read_text() == stamp \
            and (out / "intent_report.json").is_file():
        section.note = "config.yml and data/nlu/ unchanged since the last run: results reused (--fresh reruns)"
        return section, None, stamp
    for name in ("intent_report.json", "intent_errors.json", "intent_confusion_matrix.png", ".fingerprint"):
        (out / name).unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    log = (out / "rasa.log").open("w")
    process = subprocess.Popen(command, cwd=ROOT, env=_env(), stdout=log, stderr=subprocess.STDOUT, text=True)
    section.data["started"] = time.monotonic()
    return section, process, stamp


def finish_nlu(section: Section, process: Optional[subprocess.Popen], stamp: str, out: Path,
               timeout: int = 1200) -> Section:
    if process is not None:
        try:
            code = process.wait(timeout=max(1, timeout - (time.monotonic() - section.data["started"])))
        except subprocess.TimeoutExpired:
            process.kill()
            code = "timeout"
        section.seconds = time.monotonic() - section.data.pop("started")
        log = (out / "rasa.log").read_text(errors="replace") if (out / "rasa.log").exists() else ""
        if code != 0 or not (out / "intent_report.json").is_file():
            section.status, section.note = "problems", f"rasa test nlu failed (exit code {code})"
            section.output = _tail(log)
            return section
        (out / ".fingerprint").write_text(stamp)
    section.data.update(read_nlu_results(out))
    compare_with_baseline(section.data, load_baseline())
    low = [row for row in section.data["intents"] if row["f1"] < 0.7]
    if low:
        section.status = "problems"
        section.note = (section.note + "; " if section.note else "") + \
            f"{len(low)} intent(s) with F1 below 0.70"
    return section


#: Intents whose final value the safety component decides (its verdict overrides the classifier's), scored
#: against labels it overrides by design. self_harm_urge was merged into safety_crisis in issue 12 (the rules always
#: replaced it); it stays here because older baselines still hold it.
RISK_FAMILY = frozenset({"self_harm_urge", "safety_check_in", "safety_crisis", "safety_emergency",
                         "safety_third_party", "safety_abuse"})


def ordinary_macro_f1(f1_by_intent: dict[str, float]) -> Optional[float]:
    """Macro-F1 over the intents the classifier decides (the risk family left out), shown beside the full one."""
    values = [f1 for intent, f1 in f1_by_intent.items() if intent not in RISK_FAMILY]
    return sum(values) / len(values) if values else None


def read_nlu_results(out: Path) -> dict[str, Any]:
    report = json.loads((out / "intent_report.json").read_text())
    rows = []
    for intent, values in report.items():
        if not isinstance(values, dict) or intent in ("macro avg", "weighted avg", "micro avg"):
            continue
        confused = sorted((values.get("confused_with") or {}).items(), key=lambda kv: -kv[1])
        rows.append({"intent": intent, "precision": values["precision"], "recall": values["recall"],
                     "f1": values["f1-score"], "support": values["support"],
                     "confused_with": ", ".join(f"{name} ({count})" for name, count in confused)})
    rows.sort(key=lambda row: (row["f1"], row["intent"]))
    macro = report.get("macro avg", {})
    errors = json.loads((out / "intent_errors.json").read_text()) if (out / "intent_errors.json").is_file() else []
    pairs: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for error in errors:
        predicted = (error.get("intent_prediction") or {}).get("name") or "(none)"
        pairs[(error.get("intent", "?"), predicted)].append(error)
    counted = Counter({pair: len(items) for pair, items in pairs.items()})
    confusions = [
        {"intent": intent, "predicted": predicted, "count": count,
         "examples": [{"text": e.get("text", ""), "confidence": (e.get("intent_prediction") or {}).get("confidence", 0.0)}
                      for e in sorted(pairs[(intent, predicted)],
                                      key=lambda e: -(e.get("intent_prediction") or {}).get("confidence", 0.0))
                      [:EXAMPLES_PER_PAIR]]}
        for (intent, predicted), count in counted.most_common(TOP_CONFUSIONS)
    ]
    return {
        "intents": rows,
        "macro_f1": macro.get("f1-score"), "macro_precision": macro.get("precision"),
        "macro_recall": macro.get("recall"), "accuracy": report.get("accuracy"),
        "errors": len(errors), "confusions": confusions,
        "ordinary_macro_f1": ordinary_macro_f1({row["intent"]: row["f1"] for row in rows}),
        "matrix": "nlu/intent_confusion_matrix.png" if (out / "intent_confusion_matrix.png").is_file() else None,
        "histogram": "nlu/intent_histogram.png" if (out / "intent_histogram.png").is_file() else None,
    }


def load_baseline(path: Path = BASELINE_FILE) -> Optional[dict[str, Any]]:
    """The committed figures a change is compared with; None when there are none (the report still runs)."""
    import yaml

    if not path.is_file():
        return None
    return yaml.safe_load(path.read_text(encoding="utf-8")) or None


def compare_with_baseline(data: dict[str, Any], baseline: Optional[dict[str, Any]]) -> None:
    """Adds each intent's baseline F1 and the change, the baseline's macro figures, and the baseline's
    intents that no longer exist (merged or removed), so nothing disappears from the comparison unseen."""
    if not baseline:
        return
    before = baseline.get("intents") or {}
    for row in data.get("intents", []):
        old = before.get(row["intent"])
        row["before_f1"] = old["f1"] if old else None
        row["delta"] = row["f1"] - old["f1"] if old else None
    present = {row["intent"] for row in data.get("intents", [])}
    data["baseline"] = {key: baseline.get(key) for key in ("macro_f1", "accuracy", "folds", "revision", "measured", "command")}
    if data.get("macro_f1") is not None and baseline.get("macro_f1") is not None:
        data["baseline"]["delta"] = data["macro_f1"] - baseline["macro_f1"]
    data["baseline"]["ordinary_macro_f1"] = ordinary_macro_f1({name: values["f1"] for name, values in before.items()})
    data["gone"] = [{"intent": name, **values} for name, values in sorted(before.items()) if name not in present]


def save_baseline(out: Path, path: Path = BASELINE_FILE, revision: str = "", command: str = "") -> dict[str, Any]:
    """Writes a cross-validation's figures (rasa test nlu --out OUT) as the baseline file."""
    import yaml

    results = read_nlu_results(out)
    baseline = {
        "measured": dt.date.today().isoformat(), "revision": revision or _git_revision(), "folds": NLU_FOLDS,
        "command": command or f"rasa test nlu --cross-validation --folds {NLU_FOLDS} --config config.yml --nlu data/nlu",
        "macro_f1": round(results["macro_f1"], 4), "accuracy": round(results["accuracy"], 4),
        "intents": {row["intent"]: {"precision": round(row["precision"], 4), "recall": round(row["recall"], 4),
                                    "f1": round(row["f1"], 4), "support": row["support"]}
                    for row in sorted(results["intents"], key=lambda row: row["intent"])},
        "confusions": [{"intent": pair["intent"], "predicted": pair["predicted"], "count": pair["count"]}
                       for pair in results["confusions"]],
    }
    header = ("# Intent cross-validation figures a change is compared with (`make report`, bot/content/report.py).\n"
              "# Written by `python -m bot.content.report --save-baseline DIR` from a `rasa test nlu --out DIR` run.\n")
    path.write_text(header + yaml.safe_dump(baseline, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return baseline


# --- conversation tests ---------------------------------------------------------------------------------

def test_story_paths() -> list[Path]:
    candidates = [ROOT / "tests" / "test_stories", ROOT / "tests" / "test_stories.yml"]
    return [path for path in candidates if path.exists()]


def _count_stories(path: Path) -> list[str]:
    import yaml

    if not path.is_file():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [str(story.get("story", "?")) for story in data.get("stories") or [] if isinstance(story, dict)]


def conversation_tests(out: Path, train: bool) -> Section:
    section = Section("Conversation tests")
    paths = test_story_paths()
    if not paths:
        section.status, section.note = "not run", "no tests/test_stories (or tests/test_stories.yml) yet"
        return section
    if train:
        from bot.settings import get_settings
        from bot.training import train as train_model

        started = time.monotonic()
        try:
            train_model(get_settings())
        except (Exception, SystemExit) as error:  # noqa: BLE001 - the report says why, other sections go on
            section.status, section.note = "problems", f"bot train failed: {error}"
            section.seconds = time.monotonic() - started
            return section
        section.data["train_seconds"] = round(time.monotonic() - started, 1)
    model = ROOT / "models" / "clinic-support.tar.gz"
    if not model.is_file():
        section.status, section.note = "not run", "no trained model (models/clinic-support.tar.gz): run make train"
        return section
    # Rasa 3.6's `rasa test core` predicts the next action from the stories and never calls the action
    # server (rasa/model_testing.py test_core loads the agent without endpoints), so none is started.
    out.mkdir(parents=True, exist_ok=True)
    for name in ("failed_test_stories.yml", "successful_test_stories.yml", "story_report.json"):
        (out / name).unlink(missing_ok=True)
    stories = paths[0]
    command = RASA + ["test", "core", "--model", _shown(model), "--stories", str(stories.relative_to(ROOT)),
                      "--out", _shown(out)]
    # No --e2e: the test stories give each message's intent (the safety component's verdict in production);
    # the classifier is measured by the cross-validation and the safety component by its corpus.
    result = _run(command, section)
    section.command = section.command.replace(f"{sys.executable} -m rasa", "rasa")
    failed = _count_stories(out / "failed_test_stories.yml")
    passed = _count_stories(out / "successful_test_stories.yml")
    section.data.update({"failed": failed, "passed": len(passed), "total": len(failed) + len(passed)})
    if failed:
        section.data["failed_file"] = "core/failed_test_stories.yml"
        section.data["failed_text"] = (out / "failed_test_stories.yml").read_text(encoding="utf-8")[:20000]
    if (out / "story_report.json").is_file():
        report = json.loads((out / "story_report.json").read_text())
        summary = report.get("conversation_accuracy") or {}
        if "total" in summary and "correct" in summary:
            section.data.update({"total": summary["total"], "passed": summary["correct"]})
        section.data["actions"] = sorted(
            ({"action": name, "precision": v["precision"], "recall": v["recall"], "f1": v["f1-score"],
              "support": v["support"]} for name, v in report.items()
             if isinstance(v, dict) and "f1-score" in v and name not in ("macro avg", "weighted avg", "micro avg")),
            key=lambda row: (row["f1"], row["action"]))
    if result is not None and result.returncode == 0:
        total = section.data["total"]
        if failed:
            section.status = "problems"
            section.note = f"{len(failed)} of {total} conversation(s) failed"
        else:
            section.note = f"all {total} conversation(s) passed"
    return section


# --- safety corpus --------------------------------------------------------------------------------------

def safety_corpus() -> list[Section]:
    """The safety figures twice, on the project's corpus and the blind sets: ``safety.assess`` alone
    (rules and risk model), and the whole trained pipeline (what a person meets: the classifier's
    intent included). Each with its figures (--json) and the full text (misses, false alarms)."""
    corpus = ROOT / "tests" / "safety" / "corpus"
    files = [_shown(path) for folder in (corpus, ROOT / "tests" / "safety" / "blind") if folder.is_dir()
             for path in sorted(folder.glob("*.jsonl"))]
    if not files:
        return [Section("Safety corpus", status="not run", note="no tests/safety/corpus/*.jsonl")]
    return [
        _safety_section("Safety: safety.assess (rules and risk model)", [sys.executable, "-m", "safety.evaluate"],
                        "python -m safety.evaluate", files),
        _safety_section("Safety: the whole trained pipeline (what a person meets)",
                        [sys.executable, "-m", "bot.cli", "safety-eval"], "bot safety-eval", files),
    ]


def _safety_section(title: str, command: list[str], shown: str, files: list[str]) -> Section:
    section = Section(title)
    figures = _run([*command, *files, "--json"], section, timeout=900)
    if figures is not None and figures.returncode == 0:
        section.data["table"] = _as_table(figures.stdout)
    details = _run([*command, *files], section, timeout=900)
    section.command = f"{shown} {' '.join(files)} [--json]"
    if details is not None:
        section.data["text"] = details.stdout.strip()
    if section.status == "ok":
        table = dict(section.data.get("table") or [])
        section.note = ", ".join(f"{key} {value}" for key, value in table.items() if key != "per_source") or "evaluated"
    return section


def _as_table(stdout: str) -> Optional[list[tuple[str, str]]]:
    """Key/value rows when the evaluator printed JSON (whole output or its last line)."""
    for candidate in (stdout.strip(), stdout.strip().splitlines()[-1] if stdout.strip() else ""):
        try:
            value = json.loads(candidate)
        except (json.JSONDecodeError, ValueError):
            continue
        if isinstance(value, dict):
            return [(str(k), json.dumps(v) if isinstance(v, (dict, list)) else str(v)) for k, v in value.items()]
    return None


# --- story graph ----------------------------------------------------------------------------------------

def story_graph(reports: Path) -> Section:
    section = Section("Story graph")
    domain = ROOT / "var" / "build" / "domain"
    if not domain.is_dir():
        try:
            from bot.build import build
            from bot.settings import get_settings

            build(get_settings())
        except Exception as error:  # noqa: BLE001
            section.status, section.note = "problems", f"bot build failed: {error}"
            return section
    out = reports / "graph.html"
    out.unlink(missing_ok=True)
    _run(RASA + ["visualize", "--domain", str(domain.relative_to(ROOT)), "--stories", "data",
                 "--nlu", "data/nlu", "--out", _shown(out)], section, timeout=600)
    section.command = section.command.replace(f"{sys.executable} -m rasa", "rasa")
    if out.is_file():
        section.status, section.note = "ok", "rules and stories as one graph (opens in a browser; needs internet for its scripts)"
        section.data["link"] = "graph.html"
    elif section.status == "ok":
        section.status, section.note = "problems", "rasa visualize wrote no graph"
    return section


# --- page -----------------------------------------------------------------------------------------------

def render(sections: dict[str, Any], out: Path) -> None:
    environment = Environment(loader=FileSystemLoader(str(HERE / "templates")),
                              autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    html = environment.get_template("report.html").render(**sections)
    out.write_text(html, encoding="utf-8")


def _git_revision() -> str:
    try:
        result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
        return (result.stdout.strip() or "no commit") + (" + uncommitted changes" if dirty.strip() else "")
    except OSError:
        return "unknown"


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.content.report", description=__doc__.splitlines()[0])
    parser.add_argument("--no-train", action="store_true", help="use the existing model; do not run bot train")
    parser.add_argument("--fresh", action="store_true", help="rerun the cross-validation even if nothing changed")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "reports", help="report directory")
    parser.add_argument("--seed", type=int, metavar="N",
                        help="draw the cross-validation's folds with this seed (same folds every run; compare "
                             "runs of the same seed); default: Rasa's unseeded folds, as the README's command")
    parser.add_argument("--save-baseline", type=Path, metavar="DIR",
                        help=f"only write {BASELINE_FILE.name} from the cross-validation results in DIR, then stop")
    args = parser.parse_args(argv)
    if args.save_baseline:
        baseline = save_baseline(args.save_baseline)
        print(f"report: wrote {_shown(BASELINE_FILE)} (macro-F1 {baseline['macro_f1']:.2f})")
        return 0
    reports = args.out.resolve()
    reports.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()

    def say(message: str) -> None:
        print(f"report: {message} ({time.monotonic() - started:.0f} s)", flush=True)

    nlu, process, stamp = start_nlu(reports / "nlu", args.fresh, args.seed)  # runs while the rest goes on
    say("cross-validation started" if process else "cross-validation results reused")
    checks = content_checks()
    say(f"content checks: {checks.note}")
    conversations = conversation_tests(reports / "core", train=not args.no_train)
    say(f"conversation tests: {conversations.note or conversations.status}")
    safety = safety_corpus()
    say("safety corpus: " + "; ".join(f"{s.title}: {s.note or s.status}" for s in safety))
    graph = story_graph(reports)
    say(f"story graph: {graph.note or graph.status}")
    nlu = finish_nlu(nlu, process, stamp, reports / "nlu")
    say(f"intent classification: macro-F1 {nlu.data['macro_f1']:.2f}" if nlu.data.get("macro_f1") is not None
        else f"intent classification: {nlu.note}")
    index = reports / "index.html"
    render({
        "generated": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "revision": _git_revision(),
        "seconds": round(time.monotonic() - started), "checks": checks, "nlu": nlu,
        "conversations": conversations, "safety": safety, "graph": graph,
    }, index)
    say(f"wrote {index}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
