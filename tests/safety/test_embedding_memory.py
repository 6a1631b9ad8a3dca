"""The MiniLM session keeps its word-embedding table int8 and still gives the same vectors, bit for bit.

Why: onnxruntime folded the int8 table into a 47 MB float32 copy in every process that embeds (the web app's
gateway, the Rasa featurizer); safety/minilm_graph.py dequantizes only the rows a message looks up. The
intent classifier and the risk model were trained on the vectors of the unchanged graph, so not one bit
may move.
"""
from __future__ import annotations

import numpy as np
import pytest

from safety.embedding import DEFAULT_TOKENIZER, MiniLMEncoder, default_model_path
from safety.minilm_graph import embedding_rows_int8
from tests.safety.conftest import read_corpus


def test_the_lookup_is_rewritten_and_other_bytes_are_left_alone():
    model = default_model_path().read_bytes()
    assert embedding_rows_int8(model) != model
    assert embedding_rows_int8(b"not a model") == b"not a model"
    assert embedding_rows_int8(b"") == b""


@pytest.fixture(scope="module")
def encoders(monkeypatch_module):
    rewritten = MiniLMEncoder(default_model_path(), DEFAULT_TOKENIZER)
    monkeypatch_module.setattr("safety.embedding.embedding_rows_int8", lambda model: model)
    plain = MiniLMEncoder(default_model_path(), DEFAULT_TOKENIZER)
    return rewritten, plain


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_the_vectors_are_identical_to_the_unchanged_graphs(encoders):
    rewritten, plain = encoders
    texts = [row["text"] for row in read_corpus("risk.jsonl")[::3] + read_corpus("nonrisk.jsonl")[::3]]
    texts += [" ".join(texts[:40]), "", "🔪💊", "a"]
    for batch in (1, 32):  # one message at a time (the gateway) and padded batches (training, evaluation)
        ours, _, _ = rewritten.encode(texts, batch_size=batch)
        theirs, _, _ = plain.encode(texts, batch_size=batch)
        assert np.array_equal(ours, theirs)
    ours_hidden = rewritten.encode(texts[:20])[1]
    theirs_hidden = plain.encode(texts[:20])[1]
    assert all(np.array_equal(a, b) for a, b in zip(ours_hidden, theirs_hidden))
