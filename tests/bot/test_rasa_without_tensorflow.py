"""bot.rasa_without_tensorflow: TensorFlow stays out of `bot run`'s Rasa server only for a model with no
TensorFlow component, and anything that still wants it fails loudly instead of loading it.

Keeping TensorFlow out changes the whole process (sys.modules), so those checks run in a subprocess.
The servers' own tests (tests/e2e/test_rasa_without_tensorflow.py) prove a real server loads, answers
and rejects invalid action-server responses that way."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

import pytest

from bot import rasa_without_tensorflow as rwt

OUR_GRAPH = sorted(rwt.TENSORFLOW_FREE_COMPONENTS)
DIET = "rasa.nlu.classifiers.diet_classifier.DIETClassifier"
TED = "rasa.core.policies.ted_policy.TEDPolicy"


def model_archive(path: Path, components: list[str], train_components: list[str] | None = None) -> Path:
    """A model archive whose metadata.json names these predict-graph (and training-graph) classes."""
    metadata = {
        "predict_schema": {"nodes": {f"node{i}": {"uses": c} for i, c in enumerate(components)}},
        "train_schema": {"nodes": {f"node{i}": {"uses": c} for i, c in enumerate(train_components or [])}},
    }
    data = json.dumps(metadata).encode()
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo("metadata.json")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return path


def run_python(code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args],
                          capture_output=True, text=True, timeout=300)


def test_the_components_of_config_yml_are_the_reviewed_ones():
    """Every component of our pipeline and policies is reviewed; a new one means reviewing it (or TF loads)."""
    import yaml

    config = yaml.safe_load((Path(__file__).parents[2] / "config.yml").read_text())
    names = [item["name"] for item in config["pipeline"] + config["policies"]]
    reviewed = {c.rsplit(".", 1)[1] for c in rwt.TENSORFLOW_FREE_COMPONENTS} | rwt.TENSORFLOW_FREE_COMPONENTS
    assert [n for n in names if n not in reviewed] == []


def test_a_model_without_tensorflow_components_keeps_it_out(tmp_path):
    assert rwt.components_needing_tensorflow(rwt.model_components(model_archive(tmp_path / "m.tar.gz", OUR_GRAPH))) == []


@pytest.mark.parametrize("extra", [DIET, TED, "rasa.nlu.selectors.response_selector.ResponseSelector",
                                   "rasa.nlu.extractors.crf_entity_extractor.CRFEntityExtractor",
                                   "someone.else.Component"])
def test_any_other_component_leaves_rasa_as_shipped(tmp_path, extra):
    model = model_archive(tmp_path / "m.tar.gz", [*OUR_GRAPH, extra])
    assert rwt.components_needing_tensorflow(rwt.model_components(model)) == [extra]


@pytest.mark.parametrize("argv", [
    ["train", "--config", "config.yml"],  # training needs TensorFlow's modules whatever the config
    ["run"],  # Rasa picks the newest model itself: not checked, so not kept out
    ["run", "--model", "no/such/model.tar.gz"],
    ["shell", "--model", "MODEL"],
])
def test_other_commands_and_unchecked_models_are_not_touched(tmp_path, argv):
    model = model_archive(tmp_path / "m.tar.gz", OUR_GRAPH)
    argv = [str(model) if a == "MODEL" else a for a in argv]
    assert rwt.keep_tensorflow_out_for(argv) is not None


def test_an_unreadable_model_is_left_to_rasa(tmp_path):
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"not a model")
    assert "not readable" in rwt.keep_tensorflow_out_for(["run", "--model", str(broken)])


def test_the_model_argument_forms_rasa_accepts(tmp_path):
    model = model_archive(tmp_path / "m.tar.gz", OUR_GRAPH)
    for argv in (["run", "--model", str(model)], ["run", f"--model={model}"], ["run", "-m", str(model)]):
        assert rwt.model_argument(argv) == model


def test_another_rasa_version_refuses_to_keep_it_out():
    with pytest.raises(rwt.KeptOutError, match="written for Rasa 3.6.21, found 3.7.0"):
        rwt.keep_tensorflow_out(version="3.7.0")


KEPT_OUT_PROCESS = """
    import sys
    from bot.rasa_without_tensorflow import keep_tensorflow_out_for
    reason = keep_tensorflow_out_for(["run", "--model", sys.argv[1]])
    assert reason is None, reason
    from bot import rasa_main
    rasa_main.install()
    import importlib
    from bot.rasa_without_tensorflow import TENSORFLOW_FREE_COMPONENTS
    for path in sorted(TENSORFLOW_FREE_COMPONENTS):  # every reviewed component imports
        module, name = path.rsplit(".", 1)
        getattr(importlib.import_module(module), name)
    import rasa.core.agent, rasa.core.run, rasa.server  # what `rasa run` serves with
    loaded = sorted(m for m, v in sys.modules.items() if v is not None and m.split(".")[0] in ("tensorflow", "keras"))
    print("LOADED", loaded)
    try:
        import rasa.nlu.classifiers.diet_classifier
    except ImportError as error:
        print("DIET", type(error).__name__, error)
    import rasa.utils.train_utils as train_utils
    try:
        train_utils.init_split_entities
    except AttributeError as error:
        print("TRAIN_UTILS", error)
    import jsonschema
    from rasa.core.actions.action import RemoteAction
    try:  # an invalid action-server response is still rejected (tests/bot/test_rasa_main.py has them all)
        RemoteAction("action_x", None)._validate_action_result({"events": [{"event": "no_such_event"}]})
    except jsonschema.ValidationError as error:
        print("REJECTED", "Failed to validate Action server response" in error.message)
"""


def test_with_tensorflow_kept_out_rasa_imports_and_tensorflow_users_fail_loudly(tmp_path):
    model = model_archive(tmp_path / "m.tar.gz", OUR_GRAPH)
    done = run_python(KEPT_OUT_PROCESS, str(model))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "LOADED []" in done.stdout
    assert "DIET ModuleNotFoundError import of tensorflow halted" in done.stdout
    assert "TRAIN_UTILS rasa.utils.train_utils.init_split_entities: this Rasa server keeps TensorFlow out" in done.stdout
    assert "REJECTED True" in done.stdout


LOAD_METADATA = """
    import sys, json, tarfile
    from bot.rasa_without_tensorflow import keep_tensorflow_out_for, load_predict_schema_only
    assert keep_tensorflow_out_for(["run", "--model", sys.argv[1]]) is None
    load_predict_schema_only()
    load_predict_schema_only()  # idempotent
    from rasa.engine.storage.storage import ModelMetadata
    with tarfile.open(sys.argv[1]) as archive:
        serialized = json.load(archive.extractfile("metadata.json"))
    metadata = ModelMetadata.from_dict(serialized)
    print("TRAIN", metadata.train_schema.nodes)
    print("PREDICT", sorted(n.uses.__name__ for n in metadata.predict_schema.nodes.values()))
    print("MODEL_ID", metadata.model_id)
    print("LOADED", sorted(m for m, v in sys.modules.items() if v is not None and m.startswith("tensorflow")))
"""


def test_a_model_loads_without_resolving_its_training_graph(tmp_path):
    """A real model's metadata (Rasa's own validator in its training graph imports DIET and TED): the
    predict graph is loaded as Rasa would, the training graph is left empty, TensorFlow stays out."""
    from bot.settings import get_settings
    from bot.training import model_path

    model = model_path(get_settings())
    if not model.is_file():
        pytest.skip("needs the trained model (`bot train`, which `make test` runs first)")
    done = run_python(LOAD_METADATA, str(model))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "TRAIN {}" in done.stdout
    assert "RulePolicy" in done.stdout and "SafetyComponent" in done.stdout
    assert "LOADED []" in done.stdout


def test_loading_without_the_training_graph_refuses_a_changed_rasa_function(monkeypatch):
    from rasa.engine.storage.storage import ModelMetadata

    def from_dict(cls, serialized):  # what a future Rasa might ship
        return None

    monkeypatch.setattr(ModelMetadata, "from_dict", classmethod(from_dict))
    monkeypatch.setitem(sys.modules, "tensorflow", None)  # as in a process that keeps it out
    with pytest.raises(rwt.KeptOutError, match="not the reviewed one"):
        rwt.load_predict_schema_only()
