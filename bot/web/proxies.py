"""Believe X-Forwarded-For / X-Forwarded-Proto only from the reverse proxies the clinic configured.

Why: behind a proxy every visitor arrives from the proxy's address, so per-address limits would
throttle everyone at once; yet believing the header from anyone lets a script pick any address it
likes. uvicorn's ProxyHeadersMiddleware does the header work (the right-most address that is not a
trusted proxy is the visitor); this adds networks (10.0.0.0/8) to its list of exact addresses. With
no trusted proxies configured the headers are ignored (and `python -m bot.web` turns off uvicorn's own
default of trusting 127.0.0.1).
"""
from __future__ import annotations

import ipaddress
from typing import Any, Iterable

from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware


class TrustedNetworks:
    """`host in networks` for addresses inside any of the configured addresses or networks."""

    def __init__(self, entries: Iterable[str]) -> None:
        self.networks = [ipaddress.ip_network(entry, strict=False) for entry in entries]

    def __contains__(self, host: object) -> bool:
        try:
            address = ipaddress.ip_address(str(host))
        except ValueError:
            return False
        return any(address in network for network in self.networks)


class TrustedProxyHeaders(ProxyHeadersMiddleware):
    def __init__(self, app: Any, trusted_proxies: Iterable[str]) -> None:
        super().__init__(app, trusted_hosts=[])
        self.trusted_hosts = TrustedNetworks(trusted_proxies)  # type: ignore[assignment]
        self.always_trust = False
