"""bot.rasa_fast_paths: the intent classifier gives the same probabilities, bit for bit, with its weights in
column order and with its input row built directly, and every stored event comes back as the same class
through the table as through Rasa's walk."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import rasa.shared.utils.common
import scipy.sparse as sp
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.core.events import Event, deserialise_events
from sklearn.linear_model import LogisticRegression

from bot import rasa_fast_paths

_LOAD = LogisticRegressionClassifier.__dict__["load"].__func__
STOCK_LOAD = getattr(_LOAD, "_bot_original", _LOAD)
_RESOLVE = Event.__dict__["resolve_by_type"].__func__
STOCK_RESOLVE = getattr(_RESOLVE, "_bot_original", _RESOLVE)
STOCK_CREATE_X = getattr(LogisticRegressionClassifier._create_X, "_bot_original", LogisticRegressionClassifier._create_X)


def _row_ordered(classifier: Any) -> Any:
    """A copy of the classifier with its weights in row order, as scikit-learn leaves them after fitting."""
    import copy

    twin = copy.deepcopy(classifier)
    twin.coef_ = np.ascontiguousarray(classifier.coef_)
    assert twin.coef_.flags["C_CONTIGUOUS"] and not twin.coef_.flags["F_CONTIGUOUS"]
    return twin


def test_column_order_keeps_every_probability_of_a_fitted_classifier():
    rng = np.random.default_rng(7)
    features = sp.random(300, 2_000, density=0.01, format="csr", random_state=8)
    features = sp.hstack([features, sp.csr_matrix(rng.normal(size=(300, 384)))]).tocsr()
    labels = rng.integers(0, 12, size=300)
    fitted = LogisticRegression(max_iter=50).fit(features, labels)
    before = _row_ordered(fitted)
    after = rasa_fast_paths.column_ordered_weights(_row_ordered(fitted))
    assert after.coef_.flags["F_CONTIGUOUS"] and np.array_equal(after.coef_, before.coef_)
    for row in range(features.shape[0]):  # one message at a time, as the server classifies
        assert np.array_equal(after.predict_proba(features[row]), before.predict_proba(features[row]))
    assert np.array_equal(after.predict_proba(features), before.predict_proba(features))


def test_an_unfitted_classifier_is_left_alone():
    unfitted = LogisticRegression()
    assert rasa_fast_paths.column_ordered_weights(unfitted) is unfitted and not hasattr(unfitted, "coef_")
    assert rasa_fast_paths.column_ordered_weights(None) is None


@pytest.fixture(scope="module")
def trained_classifier() -> Any:
    """The trained model's classifier component and the matrices it classified for every NLU example."""
    from rasa.shared.importers.importer import TrainingDataImporter

    from bot.nlu.pipeline_eval import Pipeline
    from bot.settings import get_settings
    from bot.training import model_path

    settings = get_settings()
    if not model_path(settings).is_file():
        pytest.skip("needs the trained model (`bot train`, which `make test` runs first)")
    seen: list[Any] = []
    stock_create_x = LogisticRegressionClassifier._create_X

    def recording(self: Any, messages: Any) -> Any:
        matrix = STOCK_CREATE_X(self, messages)
        seen.append((self, matrix, messages[0]))
        return matrix

    pipeline = Pipeline(model_path(settings))
    nlu = TrainingDataImporter.load_from_dict(training_data_paths=[str(settings.root / "data" / "nlu")])
    texts = sorted({example.get("text") for example in nlu.get_nlu_data().intent_examples})
    LogisticRegressionClassifier._create_X = recording  # type: ignore[method-assign]
    try:
        for text in texts:
            pipeline.parse(text)
    finally:
        LogisticRegressionClassifier._create_X = stock_create_x  # type: ignore[method-assign]
        pipeline.close()
    return seen[0][0], [matrix for _, matrix, _ in seen], len(texts), [message for _, _, message in seen]


def test_the_trained_classifier_gives_the_same_probabilities_for_every_nlu_example(trained_classifier):
    component, matrices, count, _ = trained_classifier
    assert count > 1000 and len(matrices) == count
    before = _row_ordered(component.clf)
    after = rasa_fast_paths.column_ordered_weights(_row_ordered(component.clf))
    for matrix in matrices:
        assert np.array_equal(after.predict_proba(matrix), before.predict_proba(matrix))


def _same_matrix(built: Any, stock: Any) -> bool:
    return (built.format == stock.format == "csr" and built.shape == stock.shape and built.dtype == stock.dtype
            and np.array_equal(built.indptr, stock.indptr) and np.array_equal(built.indices, stock.indices)
            and np.array_equal(built.data, stock.data) and built.indices.dtype == stock.indices.dtype)


def test_the_input_row_built_directly_is_rasas_matrix_for_every_nlu_example(trained_classifier):
    component, matrices, count, messages = trained_classifier
    assert len(messages) == count > 1000
    for message, stock in zip(messages, matrices):
        built = rasa_fast_paths.sentence_row(message)
        assert built is not None and _same_matrix(built, stock), message.get("text")
        # and the classifier reads it the same: the same probabilities, bit for bit
        assert np.array_equal(component.clf.predict_proba(built), component.clf.predict_proba(stock))


def _message_with(blocks: list[Any], vector: Any) -> Any:
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message

    message = Message(data={"text": "x"})
    for index, block in enumerate(blocks):
        message.features.append(Features(block, "sentence", "text", f"sparse{index}"))
    if vector is not None:
        message.features.append(Features(vector, "sentence", "text", "dense"))
    return message


def test_repeated_or_unsorted_columns_and_missing_parts_go_through_rasas_function():
    vector = np.array([[0.5, 0.0, -1.25]], dtype=np.float32)
    repeated = sp.coo_matrix((np.array([1.0, 2.0]), (np.array([0, 0]), np.array([2, 2]))), shape=(1, 4))
    unsorted = sp.coo_matrix((np.array([1.0, 2.0]), (np.array([0, 0]), np.array([3, 1]))), shape=(1, 4))
    for message in (_message_with([repeated], vector), _message_with([unsorted], vector),
                    _message_with([], vector), _message_with([sp.coo_matrix(np.ones((1, 3)))], None)):
        assert rasa_fast_paths.sentence_row(message) is None
    sorted_ints = sp.coo_matrix((np.array([3, 1], dtype=np.int64), (np.array([0, 0]), np.array([0, 3]))), shape=(1, 4))
    message = _message_with([sorted_ints, sp.coo_matrix((1, 2))], vector)
    assert _same_matrix(rasa_fast_paths.sentence_row(message), STOCK_CREATE_X(None, [message]))


def test_install_wraps_the_classifiers_load_once(monkeypatch):
    rng = np.random.default_rng(3)
    fitted = LogisticRegression(max_iter=20).fit(rng.normal(size=(40, 6)), rng.integers(0, 3, size=40))

    class Loaded:
        clf = _row_ordered(fitted)

    def stub_load(cls: Any, *args: Any, **kwargs: Any) -> Any:
        return Loaded()

    monkeypatch.setattr(rasa_fast_paths, "check_rasa", lambda: None)  # the stub is not Rasa's reviewed load
    monkeypatch.setattr(LogisticRegressionClassifier, "load", classmethod(stub_load))
    monkeypatch.setattr(Event, "resolve_by_type", staticmethod(STOCK_RESOLVE))
    monkeypatch.setattr(LogisticRegressionClassifier, "_create_X", STOCK_CREATE_X)
    rasa_fast_paths.install()
    installed = LogisticRegressionClassifier.__dict__["load"].__func__
    rasa_fast_paths.install()
    assert LogisticRegressionClassifier.__dict__["load"].__func__ is installed  # once
    assert installed._bot_original is stub_load
    loaded = LogisticRegressionClassifier.load({}, None, None, None)
    assert loaded.clf.coef_.flags["F_CONTIGUOUS"] and np.array_equal(loaded.clf.coef_, fitted.coef_)
    assert LogisticRegressionClassifier._create_X._bot_original is STOCK_CREATE_X


# --- event classes --------------------------------------------------------------------------------------

def _table_resolver() -> Any:
    table = rasa_fast_paths.EventTypeTable()

    def resolve(type_name: str, default: Any = None) -> Any:
        return table.lookup(Event, type_name) or STOCK_RESOLVE(type_name, default)

    return resolve, table


def test_every_event_type_resolves_to_the_same_class():
    resolve, _ = _table_resolver()
    names = {cls.type_name for cls in rasa.shared.utils.common.all_subclasses(Event)}
    assert len(names) > 20
    for name in names:
        assert resolve(name) is STOCK_RESOLVE(name)
    for name, default in (("topic", None), ("nonsense", Event), ("topic", Event)):
        assert resolve(name, default) is STOCK_RESOLVE(name, default)
    with pytest.raises(ValueError, match="Unknown event name"):
        resolve("nonsense")


def test_a_subclass_defined_later_is_found(monkeypatch):
    monkeypatch.setattr(Event, "resolve_by_type", staticmethod(STOCK_RESOLVE))
    rasa_fast_paths._install_event_types()
    assert Event.resolve_by_type("user") is STOCK_RESOLVE("user")  # the table is built now

    class LaterEvent(Event):
        type_name = "bot_test_later_event"

        def __eq__(self, other: Any) -> bool:
            return isinstance(other, LaterEvent)

        def as_story_string(self) -> None:
            return None

    assert Event.resolve_by_type("bot_test_later_event") is LaterEvent
    assert STOCK_RESOLVE("bot_test_later_event") is LaterEvent


def test_stored_events_come_back_equal():
    from rasa.shared.core.events import (
        ActionExecuted, ActiveLoop, BotUttered, SessionStarted, SlotSet, UserUttered,
    )

    events = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
              UserUttered("hi", {"name": "greet", "confidence": 1.0}), SlotSet("safety_mode", True),
              ActiveLoop("rating_form"), BotUttered("hello", {"elements": None}), ActionExecuted("action_listen")]
    stored = [event.as_dict() for event in events]
    resolve, _ = _table_resolver()
    import unittest.mock

    with unittest.mock.patch.object(Event, "resolve_by_type", staticmethod(resolve)):
        through_table = deserialise_events(stored)
    assert through_table == deserialise_events(stored) == events
