"""Three narrow speed-ups inside Rasa's message path, each leaving every result identical (what `bot run`
installs, through bot/rasa_main.py).

1. The intent classifier's weights laid out for the product it computes. Rasa's
   LogisticRegressionClassifier asks scikit-learn for `predict_proba`, whose `decision_function`
   computes `X @ coef_.T` with X sparse; SciPy's sparse-times-dense product (`_mul_multivector`) needs
   the dense side in row order and calls `ravel()` on it, which copies `coef_.T` (51 intents x ~8,800
   features, 3.6 MB) on every message: ~1.8 ms of the ~1.9 ms `predict_proba` took (py-spy: ~5% of
   the Rasa server's time). Stored in column order once at load, `coef_.T` is already in row order:
   no copy, the same numbers multiplied in the same order, so the same probabilities bit for bit
   (tests/bot/test_rasa_fast_paths.py compares them on every NLU example).

2. Event classes found by a dictionary. Rasa rebuilds every event of a tracker from its stored dict on
   every message (`Event.from_parameters` -> `Event.resolve_by_type`), and `resolve_by_type` walks
   the whole tree of Event subclasses (`all_subclasses`, with an `inspect.isabstract` per class) for
   each one: ~3% of the server's time. The walk's answer for a type name depends only on which
   subclasses exist, so a table keeps it per type name, and is rebuilt when a subclass of Event is
   defined later (Event's `__init_subclass__` says so). Names the walk does not find still go
   through Rasa's own function (its `topic`, `default` and error cases).

3. The classifier's input row built directly. For each message, Rasa's `_create_X` combines every
   sparse feature of the text (deep copies and `scipy.sparse.hstack` of the per-token features too,
   which it then drops), then stacks the sentence parts with the MiniLM vector through three more
   scipy calls (`hstack`, `csr_matrix` twice, `vstack`): ~1.2 ms a message, ~6% of the server's time
   (py-spy under `bot bench --cpu`). For one message whose sentence blocks each hold strictly
   increasing columns (so nothing is summed or reordered by scipy's conversion to CSR), the CSR row
   scipy returns is exactly the blocks' (column + offset, value) pairs in order, then the vector's
   non-zero entries: `sentence_row` builds that row with numpy. Anything else (several messages, a
   missing block, repeated columns) goes through Rasa's own function. The same data, indices, index
   pointer, dtype and shape, so the same probabilities bit for bit (tests/bot/test_rasa_fast_paths.py
   compares the matrices on every NLU example).

Tied to the pinned Rasa (bot/rasa_pin.py): `install()` refuses to start when the Rasa version or the
source of a function relied on differs from what was reviewed.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Text, Type

from bot.rasa_pin import check_reviewed

# sha256 of `inspect.getsource` of each Rasa function the two changes rely on.
EXPECTED_SOURCES = {
    "LogisticRegressionClassifier.load": "2d8ec27bf0582219b32a8d798bfd0c17e793440668fc48d8bb360a17b800e7bb",
    "LogisticRegressionClassifier.process": "200fc5eab907e1567baf07e6150fab3eeec5b9f8590960c17ad81da47c6d841b",
    "Event.resolve_by_type": "b5cf570fa7f286c7059ec73d8880528d03a78b28cf4e80285a46079c0fa65968",
    "LogisticRegressionClassifier._create_X": "6f50b5eef8a879c4831f2062655abbc8a614391380875bdbcef02a42edb83292",
    "Message.get_sparse_features": "bc5b1f439be5f08ed0314891ae1c261abf5112bd7181b427b382d2144d01e806",
    "Message.get_dense_features": "7d9b18483fe805833fac9081a32153e1459710a4b470ac5d78db73404335a52f",
    "Message._filter_sparse_features": "1c95d665990050af08665a7f92dc5b1bec0e61ff2f026ee510807b37dfae3cd8",
    "Message._filter_dense_features": "430c083a535346a50373bc67fabec8787809fce4b0867e951dac77ae31383217",
    "Message._combine_features": "6f88fa43154948bd3f5285324dcba76bf4f80a4a8632a02dff16cd0b0f9631fa",
    "Features.combine_with_features": "80e355ae45856d9248e03713424dad25c1c9120b2d305d2c154ea1bc0b8e0b26",
}


class RasaFastPathError(RuntimeError):
    """Rasa is not the version these changes were reviewed against; review them before starting."""


def _functions() -> Dict[str, Callable[..., Any]]:
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
    from rasa.shared.core.events import Event

    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message

    load = LogisticRegressionClassifier.__dict__["load"].__func__
    resolve = Event.__dict__["resolve_by_type"].__func__
    create_x = LogisticRegressionClassifier._create_X
    return {
        "LogisticRegressionClassifier.load": getattr(load, "_bot_original", load),
        "LogisticRegressionClassifier.process": LogisticRegressionClassifier.process,
        "Event.resolve_by_type": getattr(resolve, "_bot_original", resolve),
        "LogisticRegressionClassifier._create_X": getattr(create_x, "_bot_original", create_x),
        "Message.get_sparse_features": Message.get_sparse_features,
        "Message.get_dense_features": Message.get_dense_features,
        "Message._filter_sparse_features": Message._filter_sparse_features,
        "Message._filter_dense_features": Message._filter_dense_features,
        "Message._combine_features": Message.__dict__["_combine_features"].__func__,
        "Features.combine_with_features": Features.combine_with_features,
    }


def check_rasa(version: Optional[str] = None, sources: Optional[Dict[str, str]] = None) -> None:
    """Raise RasaFastPathError unless Rasa and the functions relied on are the reviewed ones."""
    check_reviewed("bot/rasa_fast_paths.py", RasaFastPathError, _functions, EXPECTED_SOURCES, version, sources)


def column_ordered_weights(classifier: Any) -> Any:
    """The fitted scikit-learn classifier with `coef_` in column (Fortran) order: same values."""
    import numpy as np

    coef = getattr(classifier, "coef_", None)
    if isinstance(coef, np.ndarray) and coef.ndim == 2 and not coef.flags["F_CONTIGUOUS"]:
        classifier.coef_ = np.asfortranarray(coef)
    return classifier


def _install_classifier_layout() -> None:
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier

    original = LogisticRegressionClassifier.__dict__["load"].__func__
    if getattr(original, "_bot_original", None) is not None:
        return

    def load(cls: Any, *args: Any, **kwargs: Any) -> Any:
        component = original(cls, *args, **kwargs)
        column_ordered_weights(getattr(component, "clf", None))
        return component

    load._bot_original = original  # type: ignore[attr-defined]
    load.__doc__ = "Rasa's load, then the weights in column order (bot/rasa_fast_paths.py)."
    LogisticRegressionClassifier.load = classmethod(load)  # type: ignore[method-assign, assignment]


_INT32_MAX = 2**31 - 1


def sentence_row(message: Any) -> Any:
    """The CSR row Rasa's `_create_X` builds for one message's text, or None when this shortcut does not
    apply (a block missing or not a one-row COO matrix / vector, columns not strictly increasing)."""
    import numpy as np
    from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
    from scipy.sparse import coo_matrix, csr_matrix

    blocks, dense = [], []
    for feature in message.features:  # the order of Message._filter_*_features and _combine_features
        if feature.attribute != TEXT or feature.type != FEATURE_TYPE_SENTENCE:
            continue
        (blocks if feature.is_sparse() else dense).append(feature.features)
    if not blocks or not dense:
        return None  # Rasa's csr_matrix([]) of a missing part: its own function
    columns, values, width = [], [], 0
    for block in blocks:
        if not isinstance(block, coo_matrix) or block.shape[0] != 1:
            return None
        col = block.col
        if col.size > 1 and not bool(np.all(col[1:] > col[:-1])):
            return None  # scipy would sort and sum: its own function
        columns.append(col.astype(np.int64) + width)
        values.append(block.data)
        width += block.shape[1]
    for vector in dense:
        if not isinstance(vector, np.ndarray) or vector.ndim != 2 or vector.shape[0] != 1:
            return None
    vector = dense[0] if len(dense) == 1 else np.concatenate(dense, axis=-1)
    nonzero = np.flatnonzero(vector[0])
    columns.append(nonzero + width)
    values.append(vector[0, nonzero])
    width += vector.shape[1]
    dtype = np.result_type(*(block.dtype for block in blocks), vector.dtype)
    indices = np.concatenate(columns)
    if width > _INT32_MAX or indices.size > _INT32_MAX:
        return None
    data = np.concatenate(values).astype(dtype, copy=False)
    indptr = np.array([0, indices.size], dtype=np.int32)
    return csr_matrix((data, indices.astype(np.int32), indptr), shape=(1, width))


def _install_classifier_input() -> None:
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier

    original = LogisticRegressionClassifier._create_X
    if getattr(original, "_bot_original", None) is not None:
        return

    def _create_X(self: Any, messages: List[Any]) -> Any:
        if len(messages) == 1:
            row = sentence_row(messages[0])
            if row is not None:
                return row
        return original(self, messages)

    _create_X._bot_original = original  # type: ignore[attr-defined]
    _create_X.__doc__ = "Rasa's _create_X, one message's row built directly (bot/rasa_fast_paths.py)."
    LogisticRegressionClassifier._create_X = _create_X  # type: ignore[method-assign]


class EventTypeTable:
    """type name -> the class `Event.resolve_by_type`'s walk returns first. Built on first use and again
    after `new_subclass()` (called whenever a subclass of Event is defined)."""

    def __init__(self) -> None:
        self._classes: Optional[Dict[Text, Type[Any]]] = None

    def new_subclass(self) -> None:
        self._classes = None

    def lookup(self, event_class: Type[Any], type_name: Text) -> Optional[Type[Any]]:
        classes = self._classes
        if classes is None:
            import rasa.shared.utils.common

            classes = {}
            for cls in rasa.shared.utils.common.all_subclasses(event_class):
                classes.setdefault(cls.type_name, cls)  # the walk returns the first match
            self._classes = classes
        return classes.get(type_name)


def _install_event_types() -> None:
    from rasa.shared.core.events import Event

    original = Event.__dict__["resolve_by_type"].__func__
    if getattr(original, "_bot_original", None) is not None:
        return
    own = Event.__dict__.get("__init_subclass__")
    if own is not None and not getattr(own.__func__, "_bot_event_table", False):
        raise RasaFastPathError("Rasa's Event defines __init_subclass__: review bot/rasa_fast_paths.py")
    table = EventTypeTable()

    def __init_subclass__(cls: Any, **kwargs: Any) -> None:
        table.new_subclass()  # a class defined later (any module) is seen as by Rasa's walk
        super(Event, cls).__init_subclass__(**kwargs)

    __init_subclass__._bot_event_table = True  # type: ignore[attr-defined]

    def resolve_by_type(type_name: Text, default: Optional[Type[Any]] = None) -> Optional[Type[Any]]:
        found = table.lookup(Event, type_name)
        return found if found is not None else original(type_name, default)

    resolve_by_type._bot_original = original  # type: ignore[attr-defined]
    resolve_by_type._bot_table = table  # type: ignore[attr-defined]
    resolve_by_type.__doc__ = "Event.resolve_by_type through a table (bot/rasa_fast_paths.py)."
    Event.__init_subclass__ = classmethod(__init_subclass__)  # type: ignore[assignment]
    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign, assignment]


def install() -> None:
    """The three changes, after the checks above; idempotent."""
    check_rasa()
    _install_classifier_layout()
    _install_event_types()
    _install_classifier_input()
