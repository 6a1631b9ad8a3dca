"""An idle keep-alive connection to the web app outlives the clients' own idle expiry.

Why: with uvicorn's default (5 s, the same as httpx's client expiry) a person who pauses about five
seconds between messages sometimes reuses a connection just as the server closes it and gets a read
error instead of a reply (`make load` on the cluster: 1 of 866 messages). Runs the server with the
options `python -m bot.web` uses, in its own process (that entry point keeps TensorFlow out of it).
"""
import socket
import subprocess
import sys
import time

from bot.supervisor import free_port

SERVER = """
import sys, uvicorn
import bot.web.__main__ as entry

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})

uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", **entry.KEEP_ALIVE)
"""
REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def _ask(connection: socket.socket) -> bytes:
    """One request; the whole response (head and the two-byte body), or what came before the server
    closed the connection."""
    connection.sendall(REQUEST)
    response = b""
    while not response.endswith(b"\r\n\r\nok"):
        chunk = connection.recv(4096)
        if not chunk:
            break
        response += chunk
    return response


def test_a_connection_idle_longer_than_clients_expect_still_answers():
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port)])
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                connection = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        with connection:
            assert _ask(connection).startswith(b"HTTP/1.1 200")
            time.sleep(6.5)  # longer than uvicorn's default keep-alive and httpx's client expiry (5 s)
            assert _ask(connection).startswith(b"HTTP/1.1 200")
    finally:
        server.terminate()
        server.wait(10)
