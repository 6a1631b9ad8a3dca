"""``rasa`` for the cross-validation: folds from a fixed seed, and the same figures sooner.

    python -m bot.content.seeded_rasa --seed 1 test nlu --cross-validation --folds 5 --config config.yml --nlu data/nlu

Rasa 3.6 draws its folds with ``StratifiedKFold(n_splits=n, shuffle=True)`` and no seed
(``rasa.nlu.test.generate_folds``), so two runs on the same data split differently and a change of
about 0.01 macro-F1 (0.05 for one intent) is fold noise (README, "Intent accuracy"). ``--seed`` gives
that class a default ``random_state`` and then runs Rasa's own command line unchanged: the figures are
the README command's, only the split is reproducible. A different seed is a different, equally fair
split; compare runs of the same seed. Adding examples still moves the folds of the intents they
belong to (the split is drawn per intent from its examples), so per intent some noise remains.
Without ``--seed`` the folds are Rasa's own random ones.

Two changes make a run faster without changing a figure (README, "Intent accuracy"; measured there):
- each text's MiniLM encoding is computed once per run, not in four folds' training and again when
  tested (``bot.nlu.sentence_embeddings.enable_encoding_cache``; the vectors are the same bit for bit);
- ``--test-folds-only`` skips Rasa's evaluation of each fold's *training* split, which parses four
  fifths of the examples again per fold only to log a training accuracy; the reports (intent_report.json,
  errors, confusion matrix) come from the test folds alone and do not change.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Callable, Dict, Mapping, Optional, Sequence

from bot.rasa_pin import check_reviewed

# sha256 of `inspect.getsource` of the Rasa functions skip_training_split_evaluation relies on: how
# cross_validate calls combine_result (training split without result lists, test split with them).
EXPECTED_SOURCES = {
    "rasa.nlu.test.combine_result": "d1c68019808cc16080117a9c6b67aeab2724ac25f553b20978f0634352781c21",
    "rasa.nlu.test.cross_validate": "7e2e705501c6e6f79bfca282b5710fc9df5e1c1a01c3db326602c8cf0fe0b47c",
}


class SeededRasaError(RuntimeError):
    """The installed Rasa is not the one --test-folds-only was reviewed against."""


def _functions() -> Mapping[str, Callable[..., Any]]:
    import rasa.nlu.test as nlu_test

    original = getattr(nlu_test.combine_result, "_original", nlu_test.combine_result)
    return {"rasa.nlu.test.combine_result": original, "rasa.nlu.test.cross_validate": nlu_test.cross_validate}


def check_rasa(version: Optional[str] = None, sources: Optional[Dict[str, str]] = None) -> None:
    """Refuse --test-folds-only on another Rasa version or other sources of what it relies on."""
    check_reviewed("bot/content/seeded_rasa.py", SeededRasaError, _functions, EXPECTED_SOURCES, version, sources)


def seed_stratified_folds(seed: int) -> None:
    """Make ``StratifiedKFold`` (as Rasa imports it, inside ``generate_folds``) shuffle with ``seed``."""
    import sklearn.model_selection as model_selection

    original = model_selection.StratifiedKFold
    if getattr(original, "_fixed_seed", None) is not None:
        original = original.__bases__[0]

    class SeededStratifiedKFold(original):  # type: ignore[misc, valid-type]
        _fixed_seed = seed

        def __init__(self, n_splits: int = 5, *, shuffle: bool = False, random_state: Optional[int] = None) -> None:
            if shuffle and random_state is None:
                random_state = seed
            super().__init__(n_splits=n_splits, shuffle=shuffle, random_state=random_state)

    SeededStratifiedKFold.__name__ = SeededStratifiedKFold.__qualname__ = "StratifiedKFold"
    model_selection.StratifiedKFold = SeededStratifiedKFold


def skip_training_split_evaluation() -> None:
    """Make ``rasa.nlu.test.cross_validate`` evaluate only each fold's test split.

    Rasa calls ``combine_result`` twice per fold: on the training split (no result lists passed; the
    metrics only reach a log line) and on the test split (result lists passed; every report comes
    from them). The first call is skipped; the second runs unchanged."""
    import rasa.nlu.test as nlu_test

    check_rasa()
    original = getattr(nlu_test.combine_result, "_original", nlu_test.combine_result)

    async def combine_test_result(intent_metrics: Any, entity_metrics: Any, response_selection_metrics: Any,
                                  processor: Any, data: Any, intent_results: Any = None,
                                  entity_results: Any = None, response_selection_results: Any = None) -> Any:
        if intent_results is None and entity_results is None and response_selection_results is None:
            return intent_metrics, entity_metrics, response_selection_metrics  # a training split
        return await original(intent_metrics, entity_metrics, response_selection_metrics, processor, data,
                              intent_results, entity_results, response_selection_results)

    combine_test_result._original = original  # type: ignore[attr-defined]
    nlu_test.combine_result = combine_test_result


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.content.seeded_rasa", description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=None, help="the folds' random_state (e.g. 1, 2); none: random")
    parser.add_argument("--test-folds-only", action="store_true",
                        help="skip evaluating each fold's training split (only logged; no report changes)")
    args, rest = parser.parse_known_args(argv)
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    if args.seed is not None:
        seed_stratified_folds(args.seed)
    if args.test_folds_only:
        skip_training_split_evaluation()
    from bot.nlu.sentence_embeddings import enable_encoding_cache

    enable_encoding_cache()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *rest]
    rasa_main()


if __name__ == "__main__":
    main()
