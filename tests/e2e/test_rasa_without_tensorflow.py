"""`bot run`'s Rasa server serves our model with TensorFlow kept out (bot/rasa_without_tensorflow.py):
it loads the model, answers, and still refuses what it refused before; TensorFlow is not in the process."""
import uuid
from pathlib import Path

import httpx
import psutil


def tensorflow_libraries(pid: int) -> list[str]:
    """TensorFlow's shared libraries mapped into the process tree (its Python package loads them)."""
    root = psutil.Process(pid)
    found = set()
    for process in [root, *root.children(recursive=True)]:
        for line in Path(f"/proc/{process.pid}/maps").read_text().splitlines():
            if "/tensorflow/" in line:
                found.add(line.split()[-1])
    return sorted(found)


def test_the_server_answers_with_no_tensorflow_loaded(stack):
    reply = " ".join(m.get("text", "") for m in stack.say(f"e2e-tf-{uuid.uuid4().hex[:8]}", "hi"))
    assert "automated" in reply  # the model loaded and its rules answer
    assert tensorflow_libraries(stack.supervisor.service("rasa").process.pid) == []


def test_the_http_api_still_refuses_a_request_without_the_token(stack):
    url = f"{stack.settings.url('rasa')}/conversations/someone/tracker"
    assert httpx.get(url, timeout=10).status_code == 401
    assert httpx.get(url, params={"token": stack.settings.rasa_api_token}, timeout=30).status_code == 200
