"""Keep TensorFlow out of the Rasa server when the model it serves has no TensorFlow component.

Why: our pipeline and policies use no TensorFlow (config.yml), yet Rasa 3.6.21 loads all of it:
measured 936 -> 592 MB resident for the Rasa server, and a cold start 2.4x shorter, without it. It
comes in by two routes, neither of which runs anything of TensorFlow's for our model:
  - Rasa's core imports it: `rasa/nlu/extractors/extractor.py` has `import rasa.utils.train_utils`
    and never uses it (every policy imports that module through `rasa.core.policies.policy`), and
    `train_utils` imports `rasa.utils.tensorflow.callback`, which subclasses Keras at import. Only the
    TensorFlow components themselves (DIET, TED, UnexpecTED, ResponseSelector) and CRFEntityExtractor
    use `train_utils`.
  - Loading a model resolves every class of its *training* graph too (`ModelMetadata.from_dict`),
    which includes `DefaultV1RecipeValidator`; that module imports DIET, TED and ResponseSelector to
    check a config at training time. A server only runs the predict graph.
spaCy (the safety engine) also tries `import tensorflow` through thinc, and treats an ImportError as
"no TensorFlow" (see bot/web/without_tensorflow.py).

What this does, only in the process `bot run` starts (bot/rasa_main.py), before Rasa is imported:
  1. reads the graph the model will run (`predict_schema` in the archive's metadata.json) and goes on
     only when every component in it is in TENSORFLOW_FREE_COMPONENTS, classes reviewed in Rasa
     3.6.21's source as needing no TensorFlow (nor `train_utils`); otherwise Rasa runs as shipped;
  2. makes `import tensorflow` fail (a `None` entry in sys.modules, Python's documented way), so
     anything that still wants TensorFlow fails loudly there instead of loading it;
  3. puts an empty module in sys.modules for `rasa.utils.train_utils`: the unused import succeeds, and
     reading anything from it raises AttributeError naming this module (libraries that walk
     sys.modules, as skops does when it loads the classifier, expect AttributeError: importlib's
     LazyLoader was tried first and broke there); and
  4. (`load_predict_schema_only`, from bot/rasa_main.py's install) loads a model without resolving
     its training graph's classes: the training graph is kept empty, which `rasa run` never reads.

Narrow: a model with any other component, another command, or a directory of models leaves Rasa as
shipped (the start line says which and why). A model loaded later through Rasa's HTTP API
(`PUT /model`) with a TensorFlow component would fail to load: restart the server with it (`bot run`
gives Rasa one model file and the web app never replaces it). Tied to the pinned Rasa like the
validator in bot/rasa_main.py: another Rasa version, or another `ModelMetadata.from_dict` source,
refuses to start. tests/bot/test_rasa_without_tensorflow.py covers the decision and the loading;
the servers' tests (tests/e2e) run with TensorFlow kept out.
"""
from __future__ import annotations

import importlib.metadata
import json
import sys
import tarfile
import types
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

from bot.rasa_pin import check_sources, check_version, source_sha256

# sha256 of `inspect.getsource(ModelMetadata.from_dict)` in rasa/engine/storage/storage.py, as reviewed.
FROM_DICT = "ModelMetadata.from_dict"
EXPECTED_FROM_DICT_SHA256 = "ee3da9f00c7daa75c275e6db3db02b5f4da5ca674098bed28222c1f12032a619"

# Predict-graph components whose modules (and what they import) need neither TensorFlow nor
# `train_utils` in Rasa 3.6.21. Only what our graph uses, plus the nodes Rasa adds to every predict
# graph; anything else (DIET, TED, ResponseSelector, CRFEntityExtractor, spaCy or MITIE components,
# other custom components) leaves Rasa as shipped.
TENSORFLOW_FREE_COMPONENTS = frozenset({
    # Nodes Rasa adds to every predict graph.
    "rasa.graph_components.converters.nlu_message_converter.NLUMessageConverter",
    "rasa.nlu.classifiers.regex_message_handler.RegexMessageHandler",
    "rasa.graph_components.providers.domain_provider.DomainProvider",
    "rasa.graph_components.providers.rule_only_provider.RuleOnlyDataProvider",
    "rasa.core.policies.ensemble.DefaultPolicyPredictionEnsemble",
    # config.yml's pipeline.
    "rasa.nlu.tokenizers.whitespace_tokenizer.WhitespaceTokenizer",
    "rasa.nlu.featurizers.sparse_featurizer.regex_featurizer.RegexFeaturizer",
    "rasa.nlu.featurizers.sparse_featurizer.lexical_syntactic_featurizer.LexicalSyntacticFeaturizer",
    "rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer.CountVectorsFeaturizer",
    "bot.nlu.sentence_embeddings.SentenceEmbeddingFeaturizer",
    "rasa.nlu.classifiers.logistic_regression_classifier.LogisticRegressionClassifier",
    "rasa.nlu.extractors.regex_entity_extractor.RegexEntityExtractor",
    "rasa.nlu.extractors.entity_synonyms.EntitySynonymMapper",
    "rasa.nlu.classifiers.fallback_classifier.FallbackClassifier",
    "bot.nlu.word_gate.WordGate",
    "bot.nlu.safety_component.SafetyComponent",
    # config.yml's policies.
    "rasa.core.policies.memoization.MemoizationPolicy",
    "rasa.core.policies.rule_policy.RulePolicy",
})
TENSORFLOW = "tensorflow"
TRAIN_UTILS = "rasa.utils.train_utils"


class KeptOutError(RuntimeError):
    """Rasa is not the reviewed version, or it is too late to keep TensorFlow out: refuse to start."""


class ModelUnreadable(ValueError):
    """The model archive has no readable graph; Rasa itself says why when it tries to load it."""


class _KeptOutModule(types.ModuleType):
    """Stands in for `rasa.utils.train_utils`; reading anything from it says why it is empty."""

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(
            f"{self.__name__}.{name}: this Rasa server keeps TensorFlow out (bot/rasa_without_tensorflow.py), "
            "and its model was checked to need none; a component that uses it needs TensorFlow"
        )


def model_components(model: Path) -> set[str]:
    """The classes of the graph Rasa runs for this model archive (`predict_schema` in metadata.json)."""
    try:
        with tarfile.open(model, "r:gz") as archive:
            member = next((m for m in archive.getmembers() if m.name.lstrip("/") == "metadata.json"), None)
            handle = archive.extractfile(member) if member is not None else None
            if handle is None:
                raise ModelUnreadable(f"{model} has no metadata.json")
            metadata = json.load(handle)
        return {str(node["uses"]) for node in metadata["predict_schema"]["nodes"].values()}
    except (OSError, tarfile.TarError, KeyError, TypeError, AttributeError, ValueError) as error:
        if isinstance(error, ModelUnreadable):
            raise
        raise ModelUnreadable(f"{model}: {error!r}") from error


def components_needing_tensorflow(components: Iterable[str]) -> list[str]:
    """The components not reviewed as free of TensorFlow (sorted); empty when it can stay out."""
    return sorted(set(components) - TENSORFLOW_FREE_COMPONENTS)


def model_argument(argv: Sequence[str]) -> Optional[Path]:
    """The model file `rasa run` is given (`--model X`, `--model=X`, `-m X`), if it is one file."""
    value: Optional[str] = None
    for index, argument in enumerate(argv):
        if argument in ("--model", "-m") and index + 1 < len(argv):
            value = argv[index + 1]
        elif argument.startswith("--model="):
            value = argument.split("=", 1)[1]
    if value is None:
        return None
    path = Path(value)
    return path if path.is_file() else None


def tensorflow_kept_out() -> bool:
    """True in a process where keep_tensorflow_out ran."""
    return TENSORFLOW in sys.modules and sys.modules[TENSORFLOW] is None


def keep_tensorflow_out(version: Optional[str] = None) -> None:
    """Steps 2 and 3 of the module's docstring; must run before anything imports Rasa's core."""
    version = importlib.metadata.version("rasa") if version is None else version
    check_version("bot/rasa_without_tensorflow.py", KeptOutError, version)
    loaded = sorted(name for name in (TENSORFLOW, TRAIN_UTILS) if sys.modules.get(name) is not None)
    if loaded:
        raise KeptOutError(f"too late to keep TensorFlow out: {', '.join(loaded)} already imported")
    sys.modules[TENSORFLOW] = None  # type: ignore[assignment]
    sys.modules[TRAIN_UTILS] = _KeptOutModule(TRAIN_UTILS, "kept out with TensorFlow (bot/rasa_without_tensorflow.py)")


def keep_tensorflow_out_for(argv: Sequence[str]) -> Optional[str]:
    """For `rasa ...` arguments: keep TensorFlow out when the model's graph allows it. Returns why it
    was not kept out (None when it was), for the start line."""
    if not argv or argv[0] != "run":
        return "not `rasa run`"
    model = model_argument(argv)
    if model is None:
        return "no single model file given with --model"
    try:
        needing = components_needing_tensorflow(model_components(model))
    except ModelUnreadable as error:
        return f"the model's graph is not readable ({error})"
    if needing:
        return f"the model has components not reviewed as TensorFlow-free: {', '.join(needing)}"
    keep_tensorflow_out()
    return None


def load_predict_schema_only() -> None:
    """Step 4: `ModelMetadata.from_dict` with the training graph left empty (its classes unresolved).

    Only where TensorFlow is kept out (that process serves a model, never trains or fine-tunes one).
    Refuses to start when Rasa's function is not the reviewed one; idempotent."""
    from rasa.engine.storage.storage import ModelMetadata

    if not tensorflow_kept_out():
        raise KeptOutError("load_predict_schema_only is only for a process that keeps TensorFlow out")
    original = ModelMetadata.from_dict.__func__  # type: ignore[attr-defined]
    if getattr(original, "_bot_predict_schema_only", False):
        return
    check_sources("bot/rasa_without_tensorflow.py", KeptOutError, {FROM_DICT: source_sha256(original)},
                  {FROM_DICT: EXPECTED_FROM_DICT_SHA256})

    def from_dict(cls: Any, serialized: dict[str, Any]) -> Any:
        return original(cls, {**serialized, "train_schema": {"nodes": {}}})

    from_dict.__doc__ = "Rasa's ModelMetadata.from_dict, with the training graph left empty (a server runs the predict graph)."
    from_dict._bot_predict_schema_only = True  # type: ignore[attr-defined]
    ModelMetadata.from_dict = classmethod(from_dict)  # type: ignore[method-assign, assignment]
