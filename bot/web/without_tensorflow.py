"""Keep TensorFlow out of the web app process.

Why: the web app only serves pages and calls `safety.assess`, which needs spaCy's tokenizer and
matchers. But spaCy imports thinc, and thinc 8.1 (`thinc/compat.py`) tries `import tensorflow` at
import time and uses it only if that succeeds; Rasa installs TensorFlow, so every spaCy user loads it:
measured 2 s of imports and about 370 MB of resident memory (web app 519 MB -> 153 MB without it).
Thinc has no setting for this. Python's documented way to make an import fail is a `None` entry in
`sys.modules` (ImportError on import), which thinc already handles as "no TensorFlow".

Only the web app's entry point (`python -m bot.web`) calls this, before anything imports spaCy: the
Rasa server needs TensorFlow, and tests import both in one process.
"""
from __future__ import annotations

import sys


def keep_tensorflow_out() -> None:
    """Make `import tensorflow` fail in this process; does nothing if it was already imported."""
    sys.modules.setdefault("tensorflow", None)  # type: ignore[arg-type]
