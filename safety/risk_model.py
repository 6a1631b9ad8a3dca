"""The learned risk detector that works beside the rules.

Why a model as well as rules: a hand-written list cannot keep up with how people write ("please
let me die", "i keep thinking about making a noose"), and a single keyword ("suicidal" about a
transfer policy, "suicide" in a headline) cannot tell a person at risk from a news story. This
model reads the whole message: hashed word and character n-grams (robust to typos and slang) and
the all-MiniLM-L6-v2 sentence embedding (paraphrases), combined by logistic regression trained on
real, labelled public text (``safety/model/CARD.md`` says which, and how well it does).

It never produces a score for anyone to read (NICE NG225 advises against risk stratification): it
answers only which response a message needs, by thresholds fixed in the card. The engine decides
how that verdict combines with the rules (``safety/engine.py``); the rules keep emergencies and
explicit first-person phrases whatever the model says.

The model file and its card are committed; ``make safety-model`` retrains them from the corpus
(``python -m safety.train_risk_model``).
"""
from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

import numpy as np

from .assessment import Kind
from .embedding import sha256_of  # noqa: F401  (the card's digest, as for the MiniLM file)

MODEL_DIR = Path(__file__).parent / "model"
CARD_PATH = MODEL_DIR / "risk-model.json"
WEIGHTS_NAME = "risk-model.npz"

_WHITESPACE = re.compile(r"\s+")
_URL = re.compile(r"https?://\S+|www\.\S+")
# scikit-learn's HashingVectorizer, as the model was trained with it (FeatureSpec.vectorizers): char_wb first folds
# runs of white space, the word analyzer splits with this token pattern
_RUNS_OF_SPACE = re.compile(r"\s\s+")
_WORD_TOKEN = re.compile(r"(?u)\b\w+\b|[^\w\s]")
_INT32_MIN = -(2 ** 31)
OFF = 1.01  # a cut-off no probability reaches


class RiskModelError(Exception):
    """The committed model file is missing, altered, or does not match its card."""


def prepare(text: str) -> str:
    """The text the n-gram features read: lower case, URLs out, white space folded."""
    return _WHITESPACE.sub(" ", _URL.sub(" ", text.lower())).strip()


@dataclass(frozen=True)
class FeatureSpec:
    """How a message becomes a feature vector; stored in the card so training and use agree."""

    char_ngrams: tuple[int, int] = (2, 5)
    char_features: int = 2 ** 18
    word_ngrams: tuple[int, int] = (1, 2)
    word_features: int = 2 ** 17
    embedding_weight: float = 1.0
    max_chars: int = 2000  # the n-grams of a longer message are read from its first 2,000 characters

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "FeatureSpec":
        return cls(
            char_ngrams=tuple(data["char_ngrams"]), char_features=int(data["char_features"]),
            word_ngrams=tuple(data["word_ngrams"]), word_features=int(data["word_features"]),
            embedding_weight=float(data["embedding_weight"]), max_chars=int(data["max_chars"]),
        )

    def to_dict(self) -> dict[str, Any]:
        return {"char_ngrams": list(self.char_ngrams), "char_features": self.char_features,
                "word_ngrams": list(self.word_ngrams), "word_features": self.word_features,
                "embedding_weight": self.embedding_weight, "max_chars": self.max_chars}

    @property
    def n_features(self) -> int:
        return self.char_features + self.word_features + 384

    def features(self, prepared: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(char indices, char values, word indices, word values) of one prepared text: the rows that
        ``vectorizers()`` gives (binary, l2-normalised, indices ascending), computed here without
        scikit-learn and SciPy, which cost the web app ~45 MB of memory to import for this alone.
        ``tests/safety/test_risk_model.py`` checks them against scikit-learn's, value for value."""
        char_idx, char_val = _hashed(_char_wb_ngrams(prepared, *self.char_ngrams), self.char_features)
        word_idx, word_val = _hashed(_word_ngrams(_WORD_TOKEN.findall(prepared), *self.word_ngrams), self.word_features)
        return char_idx, char_val, word_idx, word_val

    def vectorizers(self) -> tuple[Any, Any]:
        """scikit-learn's vectorizers the model was trained with: the reference ``features`` is tested against."""
        from sklearn.feature_extraction.text import HashingVectorizer

        common = dict(alternate_sign=False, binary=True, norm="l2", lowercase=False, dtype=np.float32)
        chars = HashingVectorizer(analyzer="char_wb", ngram_range=self.char_ngrams,
                                  n_features=self.char_features, **common)
        words = HashingVectorizer(analyzer="word", ngram_range=self.word_ngrams, n_features=self.word_features,
                                  token_pattern=r"(?u)\b\w+\b|[^\w\s]", **common)
        return chars, words

    def transform(self, texts: Sequence[str], embeddings: np.ndarray) -> Any:
        """Sparse matrix [n, char + word + 384]; ``embeddings`` are unit-length MiniLM vectors."""
        from scipy.sparse import csr_matrix, hstack

        def rows(which: int, width: int) -> Any:
            found = [self.features(prepare(t[: self.max_chars]))[2 * which:2 * which + 2] for t in texts]
            indptr = np.cumsum([0] + [len(i) for i, _ in found])
            indices = np.concatenate([i for i, _ in found]) if found else np.zeros(0, np.int32)
            values = np.concatenate([v for _, v in found]) if found else np.zeros(0, np.float32)
            return csr_matrix((values, indices, indptr), shape=(len(texts), width), dtype=np.float32)

        dense = csr_matrix(np.asarray(embeddings, dtype=np.float32) * self.embedding_weight)
        return hstack([rows(0, self.char_features), rows(1, self.word_features), dense], format="csr")


@dataclass(frozen=True)
class Thresholds:
    """Cut-offs on the model's probability, chosen from cross-validated measurements (see the card).

    ``crisis``: a message no rule flagged, or one a rule flagged only for a check-in, escalates.
    ``confirm``: a weak keyword hit ("suicidal", "overdose") with no first-person anchor escalates.
    ``check_in``: below the escalation cut-off that applies, ask the direct question.
    ``veto``: below it the model is near-certain the message is not about risk, and a crisis from
    the categories ordinary life shares words with (tunables.model_veto_categories) becomes a check-in.
    ``ask``: the general intent classifier's risk-family intent may ask the check-in question of a
    message the rules and the model left quiet only at or above it (``engine.classifier_may_ask``);
    0 lets the classifier ask whenever it is confident (a card written before this cut-off existed).
    ``confirm_check_in``: a message a rule already asks about (``RuleView.asks``: "tonight's the night",
    "i'm on the bridge", a risk phrase that is not first person enough to decide) escalates when the
    model agrees at least this much; two kinds of evidence together, as ``confirm`` for a weak keyword.
    Above 1 it is off (a card written before this cut-off existed).
    """

    crisis: float
    confirm: float
    check_in: float
    veto: float = 0.0
    ask: float = 0.0
    confirm_check_in: float = OFF

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Thresholds":
        return cls(crisis=float(data["crisis"]), confirm=float(data["confirm"]), check_in=float(data["check_in"]),
                   veto=float(data.get("veto", 0.0)), ask=float(data.get("ask", 0.0)),
                   confirm_check_in=float(data.get("confirm_check_in", OFF)))

    def to_dict(self) -> dict[str, float]:
        return {"crisis": self.crisis, "confirm": self.confirm, "check_in": self.check_in, "veto": self.veto,
                "ask": self.ask, "confirm_check_in": self.confirm_check_in}

    def decide(self, p: float, weak_hit: bool, rule_asks: bool = False) -> tuple[Kind, bool]:
        """(verdict, vetoed) for one probability; ``rule_asks``: a rule already asks the question."""
        if p >= (self.confirm if weak_hit else self.crisis) or (rule_asks and p >= self.confirm_check_in):
            return Kind.CRISIS, False
        return (Kind.CHECK_IN if p >= self.check_in else Kind.NONE), p < self.veto


@dataclass(frozen=True)
class Bands:
    """Thresholds per message length. Chat messages are short and long forum posts saturate the
    probability, so one set of cut-offs cannot serve both: each band's are chosen on its own
    cross-validated items."""

    short_max_words: int
    short: Thresholds
    long: Thresholds

    def for_text(self, text: str) -> Thresholds:
        # more than short_max_words words leaves the rest unsplit in one more item (no full split of 100 kB)
        return self.short if len(text.split(maxsplit=self.short_max_words)) <= self.short_max_words else self.long

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Bands":
        return cls(int(data["short_max_words"]), Thresholds.from_dict(data["short"]), Thresholds.from_dict(data["long"]))

    def to_dict(self) -> dict[str, Any]:
        return {"short_max_words": self.short_max_words, "short": self.short.to_dict(), "long": self.long.to_dict()}


class RiskModel:
    """Loaded weights + feature spec + thresholds; ``verdict`` is all the engine asks."""

    def __init__(self, spec: FeatureSpec, coef: np.ndarray, intercept: float, thresholds: Bands,
                 version: str) -> None:
        self.spec = spec
        self.coef = np.asarray(coef, dtype=np.float32)
        self.intercept = float(intercept)
        self.thresholds = thresholds
        self.version = version

    # -- use -----------------------------------------------------------------
    def probability(self, text: str, embedding: Optional[np.ndarray] = None) -> float:
        """Internal: the engine compares it with the thresholds; it is never shown or stored."""
        if embedding is None:
            from .embedding import embed

            embedding = embed(text[: self.spec.max_chars * 2])
        char_idx, char_val, word_idx, word_val = self.spec.features(prepare(text[: self.spec.max_chars]))
        c, w = self.spec.char_features, self.spec.word_features
        z = self.intercept
        z += float(char_val @ self.coef[char_idx])
        z += float(word_val @ self.coef[c + word_idx])
        z += float(np.dot(np.asarray(embedding, dtype=np.float32), self.coef[c + w:]) * self.spec.embedding_weight)
        return float(1.0 / (1.0 + np.exp(-z)))

    def verdict(self, text: str, embedding: Optional[np.ndarray] = None, weak_hit: bool = False,
                rule_asks: bool = False) -> tuple[Kind, bool]:
        """(NONE, CHECK_IN or CRISIS; near-certainly not risk). The model never decides an emergency."""
        return self.thresholds.for_text(text).decide(self.probability(text, embedding), weak_hit, rule_asks)

    # -- files -----------------------------------------------------------------
    @classmethod
    def load(cls, card_path: Path = CARD_PATH) -> "RiskModel":
        """Load the committed model, refusing a weights file whose sha256 differs from its card."""
        try:
            card = json.loads(Path(card_path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise RiskModelError(f"cannot read the risk model card {card_path}: {exc}") from exc
        weights = Path(card_path).parent / card["weights"]["file"]
        if not weights.is_file():
            raise RiskModelError(f"risk model weights {weights} are missing; run `make safety-model`")
        digest = sha256_of(weights)
        if digest != card["weights"]["sha256"]:
            raise RiskModelError(f"{weights} has sha256 {digest}, but its card {card_path} says "
                                 f"{card['weights']['sha256']}: the file was changed without retraining")
        spec = FeatureSpec.from_dict(card["features"])
        with np.load(weights) as data:
            coef = np.zeros(spec.n_features, dtype=np.float32)
            coef[data["index"]] = data["value"].astype(np.float32)
            intercept = float(data["intercept"])
        return cls(spec, coef, intercept, Bands.from_dict(card["thresholds"]), card["version"])

    def save(self, directory: Path) -> tuple[Path, str]:
        """Write the weights (nonzero coefficients only); returns the path and its sha256."""
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / WEIGHTS_NAME
        index = np.flatnonzero(np.abs(self.coef) > 1e-6).astype(np.int32)
        with path.open("wb") as f:  # np.savez_compressed adds timestamps to nothing: stable bytes
            np.savez_compressed(f, index=index, value=self.coef[index].astype(np.float16),
                                intercept=np.array(self.intercept, dtype=np.float64))
        return path, sha256_of(path)


def _char_wb_ngrams(text: str, low: int, high: int) -> list[str]:
    """scikit-learn's ``char_wb`` analyzer: n-grams inside each word padded with one space either side."""
    grams: list[str] = []
    append = grams.append
    for word in _RUNS_OF_SPACE.sub(" ", text).split():
        word = " " + word + " "
        length = len(word)
        for n in range(low, high + 1):
            offset = 0
            append(word[offset:offset + n])
            while offset + n < length:
                offset += 1
                append(word[offset:offset + n])
            if offset == 0:  # a word shorter than n counts once
                break
    return grams


def _word_ngrams(tokens: list[str], low: int, high: int) -> list[str]:
    """scikit-learn's word n-grams (no stop words): the tokens, then each run of n joined by a space."""
    grams = list(tokens) if low == 1 else []
    for n in range(max(low, 2), min(high + 1, len(tokens) + 1)):
        grams.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    return grams


def _hashed(grams: list[str], n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """(ascending distinct indices, l2-normalised binary values) as scikit-learn's FeatureHasher gives them:
    the signed 32-bit MurmurHash3 (seed 0) of each n-gram's UTF-8 bytes (the ``murmurhash`` package that
    spaCy installs computes the same hash), its absolute value modulo ``n_features``."""
    from murmurhash.mrmr import hash as murmur

    if not grams:
        return np.zeros(0, np.int32), np.zeros(0, np.float32)
    buckets = []
    for gram in set(grams):
        h = murmur(gram)
        buckets.append((2 ** 31 - 1 - (n_features - 1)) % n_features if h == _INT32_MIN else abs(h) % n_features)
    indices = np.unique(np.array(buckets, dtype=np.int32))
    # scikit-learn's l2 normalisation divides in double precision and stores float32
    return indices, np.full(len(indices), np.float32(1.0 / np.sqrt(np.float64(len(indices)))), dtype=np.float32)


_MODEL: Optional[RiskModel] = None
_LOCK = threading.Lock()


def get_model() -> RiskModel:
    """The committed model, loaded once per process."""
    global _MODEL
    if _MODEL is None:
        with _LOCK:
            if _MODEL is None:
                _MODEL = RiskModel.load()
    return _MODEL
