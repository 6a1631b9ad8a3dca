"""The web app process never loads TensorFlow, even after `safety.assess` ran (spaCy -> thinc)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Runs in a fresh process, importing the web app the way `python -m bot.web` does (its __main__ first),
# then sends a risk message while Rasa is down, so the gateway itself assesses it.
SCRIPT = """
import json, sys
import bot.web.__main__ as entry
from fastapi.testclient import TestClient
from bot.web.options import WebOptions
from bot.db import migrate
migrate(entry.get_settings())
app = entry.create_app(entry.get_settings(), WebOptions(reconcile_every_seconds=None), rasa_url=sys.argv[1])
with TestClient(app) as client:
    started = client.post("/api/chat/start", json={}).json()
    reply = client.post("/api/chat", json={"message": "I want to kill myself"},
                        headers={"X-Chat-Token": started["token"]}).json()
print(json.dumps({
    "tensorflow": sys.modules.get("tensorflow") is not None,
    "spacy": "spacy" in sys.modules,
    "resources": "resources" in reply,
}))
"""


def test_the_web_app_assesses_a_message_without_loading_tensorflow(tmp_path, rasa_down):
    env = {**os.environ, "BOT_VAR_DIR": str(tmp_path / "var")}
    result = subprocess.run([sys.executable, "-c", SCRIPT, rasa_down], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    # spaCy was loaded and the message was assessed (the crisis resources came back) ...
    assert seen["spacy"] and seen["resources"]
    # ... yet TensorFlow, which thinc imports whenever it can, never was.
    assert seen["tensorflow"] is False
