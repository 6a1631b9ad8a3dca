"""Calls from the Rasa server to the action server: one kept-alive HTTP session, the domain encoded once
(what `bot run` installs, through bot/rasa_main.py).

Why: for every custom action Rasa 3.6 (`EndpointConfig.request` in rasa/utils/endpoints.py) opens a new
aiohttp session, so a new TCP connection to the action server, and closes it after the one call; and the
actions marked `send_domain: true` in domain.yml get the whole domain (about 54 kB of JSON), which
aiohttp encodes again with `json.dumps` on every call (py-spy under `bot bench --cpu`: ~4.5% of the
Rasa server's CPU for the encoding alone).

What changes, for action-server calls only (a JSON body with `next_action`; every other use of
EndpointConfig, e.g. a model server or an NLG endpoint, goes through Rasa's own function):
1. One aiohttp session per endpoint and event loop, built with the arguments of Rasa's
   `EndpointConfig.session` (headers, basic auth, total timeout), whose connector keeps idle connections
   for KEEPALIVE_SECONDS: less than the action server's (Sanic's KEEP_ALIVE_TIMEOUT, 5 s), so we drop an
   idle connection before the server does rather than send on one it is closing.
2. The body is the bytes aiohttp's `json=` would send (`json.dumps(body).encode("utf-8")`, content type
   application/json), with the domain's part encoded once per domain object. Rasa's `_action_call_format`
   puts `domain.as_dict()` last, and `Domain.as_dict` returns the dict the Domain was built with, never
   changed after `Domain.__init__`: a loaded model's domain is one object, so its encoding is kept beside
   a reference to it (checked by identity, never by `id()` alone). tests/bot/test_action_calls.py checks
   the bytes are equal to `json.dumps(body)` for our domain.
Everything after the response arrives is Rasa's code unchanged: a status >= 400 raises the same
ClientResponseError, the body is parsed by `response.json()`, and RemoteAction validates it as before
(bot/rasa_main.py), so an invalid response is rejected exactly as before.

Tied to the pinned Rasa (bot/rasa_pin.py): `install()` refuses to start when the Rasa version or the
source of a function relied on differs from what was reviewed.
"""
from __future__ import annotations

import asyncio
import os
import json
import ssl
from typing import Any, Callable, Dict, Optional, Text, Tuple

from bot.rasa_pin import check_reviewed

# Idle connections are closed by us after this long; Sanic (the action server) closes them after 5 s.
KEEPALIVE_SECONDS = 2.0
DOMAIN_KEY = "domain"
ACTION_CALL_KEY = "next_action"

# sha256 of `inspect.getsource` of each Rasa function this relies on or replaces.
EXPECTED_SOURCES = {
    "EndpointConfig.request": "ccdb778aed8208e23cde3c3f47eac7fbbbb735dac8f7ef7254d54451c64ad608",
    "EndpointConfig.session": "e55aa13d9d4fb4bc440ac33b870a97ee162b76dda7ccb6bf68433567475fdffb",
    "RemoteAction._action_call_format": "428795b944f22edba142d278ec47a30098975b01463ba337ec447dade52a0492",
    "RemoteAction.run": "ccabf6f1160d527a157fad5bd285ce69e8221b1bcad23f8a61499b4360a1c17e",
    "Domain.as_dict": "5f555a0cf9b94bc593a6037e4bad053817f7e7aee982bb2d1bd617abc5784bfc",
    "run.close_resources": "bc3d36e8149e84cd906082694203f0f78bbdb09544be8753af472ff59cc284e9",
    "run.serve_application": "fa80588d9e008b67948290d1da64c97fbab5a1a8069b880c18cc3c8399ef9c2b",
}


class ActionCallsError(RuntimeError):
    """Rasa is not the version this module was reviewed against; review it before starting."""


def _functions() -> Dict[str, Callable[..., Any]]:
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.domain import Domain
    from rasa.utils.endpoints import EndpointConfig

    import rasa.core.run

    request = EndpointConfig.request
    close = rasa.core.run.close_resources
    return {
        "EndpointConfig.request": getattr(request, "_bot_original", request),
        "EndpointConfig.session": EndpointConfig.session,
        "RemoteAction._action_call_format": RemoteAction._action_call_format,
        "RemoteAction.run": RemoteAction.run,
        "Domain.as_dict": Domain.as_dict,
        "run.close_resources": getattr(close, "_bot_original", close),
        "run.serve_application": rasa.core.run.serve_application,
    }


def check_rasa(version: Optional[str] = None, sources: Optional[Dict[str, str]] = None) -> None:
    """Raise ActionCallsError unless Rasa and the functions relied on are the reviewed ones."""
    check_reviewed("bot/action_calls.py", ActionCallsError, _functions, EXPECTED_SOURCES, version, sources)


class EncodedDomain:
    """The JSON of the last domain dict sent, kept with the dict itself (so an identity check is sound)."""

    def __init__(self) -> None:
        self._domain: Optional[Dict[Text, Any]] = None
        self._text = ""

    def encode(self, domain: Dict[Text, Any]) -> str:
        if domain is not self._domain:
            self._text = json.dumps(domain)
            self._domain = domain
        return self._text


def encode_body(body: Dict[Text, Any], encoded: EncodedDomain) -> bytes:
    """`json.dumps(body).encode("utf-8")` (what aiohttp's `json=` sends), the domain's part reused when
    it is the body's last entry and a dict (as Rasa's `_action_call_format` builds it)."""
    domain = body.get(DOMAIN_KEY)
    if not isinstance(domain, dict) or next(reversed(body)) != DOMAIN_KEY:
        return json.dumps(body).encode("utf-8")
    rest = dict(body)
    del rest[DOMAIN_KEY]
    head = json.dumps(rest)
    separator = "" if head == "{}" else ", "
    return (head[:-1] + separator + json.dumps(DOMAIN_KEY) + ": " + encoded.encode(domain) + "}").encode("utf-8")


def is_action_call(kwargs: Dict[str, Any]) -> bool:
    """An action-server call as RemoteAction makes it: a JSON object with `next_action`, no other body."""
    body = kwargs.get("json")
    return isinstance(body, dict) and ACTION_CALL_KEY in body and "data" not in kwargs


class Sessions:
    """One aiohttp session per (endpoint, event loop), made as Rasa's `EndpointConfig.session` makes one,
    with a connector that keeps idle connections KEEPALIVE_SECONDS."""

    def __init__(self) -> None:
        self._sessions: Dict[Tuple[int, int], Tuple[Any, Any, Any]] = {}

    def get(self, endpoint: Any) -> Any:
        import aiohttp
        from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

        loop = asyncio.get_running_loop()
        key = (id(endpoint), id(loop))
        found = self._sessions.get(key)
        if found is not None and found[0] is endpoint and found[1] is loop and not found[2].closed:
            return found[2]
        for old_key, (_, old_loop, _) in list(self._sessions.items()):
            if old_loop.is_closed():
                del self._sessions[old_key]
        auth = (aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
                if endpoint.basic_auth else None)
        session = aiohttp.ClientSession(
            headers=endpoint.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
        )
        self._sessions[key] = (endpoint, loop, session)
        return session

    async def close(self) -> None:
        """Close the sessions of the running event loop (Rasa's server stopping)."""
        loop = asyncio.get_running_loop()
        for key, (_, session_loop, session) in list(self._sessions.items()):
            if session_loop is loop:
                del self._sessions[key]
                await session.close()


def make_request(original: Callable[..., Any], sessions: Sessions, encoded: EncodedDomain) -> Callable[..., Any]:
    """A drop-in `EndpointConfig.request`: action-server calls as described above, anything else `original`."""

    async def request(self: Any, method: Text = "post", subpath: Optional[Text] = None,
                      content_type: Optional[Text] = "application/json", compress: bool = False,
                      **kwargs: Any) -> Optional[Any]:
        if not is_action_call(kwargs):
            return await original(self, method, subpath, content_type, compress, **kwargs)
        import aiohttp
        from rasa.shared.exceptions import FileNotFoundException
        from rasa.utils.endpoints import ClientResponseError, concat_url

        # From here as Rasa's request, but the kept session and the body encoded above.
        headers = {"Content-Type": "application/json"}  # aiohttp's json= sets it so
        if content_type:
            headers["Content-Type"] = content_type
        if "headers" in kwargs:
            headers.update(kwargs["headers"])
            del kwargs["headers"]
        if self.headers:
            headers.update(self.headers)
        url = concat_url(self.url, subpath)
        sslcontext = None
        if self.cafile:
            try:
                sslcontext = ssl.create_default_context(cafile=self.cafile)
            except FileNotFoundError as e:
                raise FileNotFoundException(
                    f"Failed to find certificate file, '{os.path.abspath(self.cafile)}' does not exist."
                ) from e
        data = encode_body(kwargs.pop("json"), encoded)
        session = sessions.get(self)
        async with session.request(
            method, url, headers=headers, params=self.combine_parameters(kwargs), compress=compress,
            ssl=sslcontext, data=data, **kwargs,
        ) as response:
            if response.status >= 400:
                raise ClientResponseError(response.status, response.reason, await response.content.read())
            try:
                return await response.json()
            except aiohttp.ContentTypeError:
                return None

    request._bot_original = original  # type: ignore[attr-defined]
    request.__doc__ = "Rasa's request; action-server calls on a kept session, the domain encoded once (bot/action_calls.py)."
    return request


def make_close_resources(original: Callable[..., Any], sessions: Sessions) -> Callable[..., Any]:
    """Rasa's `close_resources` (its server's after_server_stop listener), then our sessions closed."""

    async def close_resources(app: Any, loop: Any) -> None:
        try:
            await original(app, loop)
        finally:
            await sessions.close()

    close_resources._bot_original = original  # type: ignore[attr-defined]
    close_resources.__doc__ = "Rasa's close_resources, then the kept action-server sessions closed (bot/action_calls.py)."
    return close_resources


def install() -> None:
    """The change above, after the checks; idempotent. `rasa.core.run.close_resources` is looked up when
    Rasa's server is set up (`serve_application`), so replacing it before then closes the sessions on stop."""
    check_rasa()
    import rasa.core.run
    from rasa.utils.endpoints import EndpointConfig

    if getattr(EndpointConfig.request, "_bot_original", None) is not None:
        return
    sessions = Sessions()
    EndpointConfig.request = make_request(EndpointConfig.request, sessions, EncodedDomain())  # type: ignore[method-assign]
    rasa.core.run.close_resources = make_close_resources(rasa.core.run.close_resources, sessions)
