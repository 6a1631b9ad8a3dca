"""`create_app(settings)`: the FastAPI app serving the demo page, the widget files and the gateway."""
from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator, Optional
from urllib.parse import urlsplit

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from bot.console import routes as console
from bot.console.alerts import AlertWorker
from bot.db import get_engine
from bot.settings import Settings
from bot.web import gateway, live, pages
from bot.web.conversation import HEADER_NAME, ConversationTokens, secret_key
from bot.web.fallback import flagged_by_rules
from bot.web.jobs import HandoffWatch, Scheduler
from bot.web.options import WebOptions
from bot.web.payloads import PayloadGuard
from bot.web.proxies import TrustedProxyHeaders
from bot.web.ratelimit import RateLimiter, make_storage
from bot.web.replicas import Replicas
from bot.web.resources import ResourceCatalog
from bot.web.state import WebState
from bot.web.unanswered import UnansweredStore

STATIC_DIR = Path(__file__).resolve().parent / "static"
REFUSED_CASE_WINDOW_SECONDS = 600.0

# Our own pages load scripts, styles and data from this origin only. (The widget on a clinic's site
# follows that site's policy; it needs script-src, style-src and connect-src for this server.)
PAGE_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def allowed_origins(settings: Settings) -> list[str]:
    """web.allowed_origins, plus this web app's own origin(s): its demo page, and public_url."""
    own = [settings.url("web")]
    if settings.services.host in ("127.0.0.1", "localhost"):
        own.append(f"http://localhost:{settings.services.web_port}")
    if settings.console.public_url:
        parts = urlsplit(settings.console.public_url)
        own.append(f"{parts.scheme}://{parts.netloc}")
    return list(dict.fromkeys([*settings.web.allowed_origins, *own]))


def build_state(settings: Settings, options: WebOptions, rasa_url: Optional[str]) -> WebState:
    storage = make_storage(settings.services.redis_url)

    def limiter(name: str, limit: int, window: float) -> RateLimiter:
        return RateLimiter(limit, window, storage, f"{options.limiter_namespace}/{name}")

    urls = [rasa_url] if rasa_url else (settings.services.rasa_urls or [settings.url("rasa")])
    return WebState(
        settings=settings,
        options=options,
        rasa_url=urls[0].rstrip("/"),
        replicas=Replicas(urls),
        resources=ResourceCatalog(settings),
        unanswered=UnansweredStore(settings),
        payloads=PayloadGuard(settings),
        tokens=ConversationTokens(secret_key(settings)),
        sender_limiter=limiter("sender", options.sender_limit, options.sender_window_seconds),
        address_limiter=limiter("address", options.address_limit, options.address_window_seconds),
        read_limiter=limiter("read", options.read_limit, options.read_window_seconds),
        refused_assess_limiter=limiter("refused-assess", options.refused_assess_limit, 60.0),
        refused_case_limiter=limiter("refused-case", 1, REFUSED_CASE_WINDOW_SECONDS),
        sign_in_limiter=limiter("sign-in", options.sign_in_limit, options.sign_in_window_seconds),
    )


def create_app(
    settings: Settings, options: Optional[WebOptions] = None, rasa_url: Optional[str] = None
) -> FastAPI:
    """The web app. `rasa_url` defaults to the configured Rasa server; tests point it elsewhere.

    Raises bot.db.DatabaseNotMigrated (naming `bot migrate`) when the database is not migrated."""
    options = options or WebOptions()
    get_engine(settings)  # refuse to start on an unmigrated database, before serving anyone
    state = build_state(settings, options, rasa_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Load the safety rules now, not while the first person waits. Not the MiniLM session: only the
        # fallback paths build it, when they first need it (bot/web/fallback.py).
        flagged_by_rules("hello")
        state.rasa_http = httpx.AsyncClient()  # one client (and TLS context) for every call to Rasa
        scheduler = None
        if options.reconcile_every_seconds:
            scheduler = Scheduler(settings, state.unanswered, options.reconcile_every_seconds)
            scheduler.start()
        _app.state.scheduler = scheduler
        alerts = AlertWorker(settings) if options.alerts else None
        if alerts:
            alerts.start()
        watch = HandoffWatch(settings, state.rasa_url, options.handoff_watch_every_seconds) \
            if options.handoff_watch_every_seconds else None
        if watch:
            watch.start()
        try:
            yield
        finally:
            if watch:
                watch.stop()
            if scheduler:
                scheduler.stop()
            client, state.rasa_http = state.rasa_http, None
            if client is not None:  # a second lifespan of the same app (tests) may have closed it
                await client.aclose()
            if alerts:
                alerts.stop()

    app = FastAPI(title="Clinic chat", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.web = state
    # The widget runs on the clinic's own site, another origin: browsers may call the API (with the
    # conversation cookie) from the origins the clinic lists in settings.yml and from our own.
    app.add_middleware(
        CORSMiddleware, allow_origins=allowed_origins(settings), allow_credentials=True,
        allow_methods=["GET", "POST"], allow_headers=["Content-Type", HEADER_NAME], max_age=3600,
    )

    @app.middleware("http")
    async def security_headers(request: Request, call_next) -> Response:  # type: ignore[no-untyped-def]
        response = await call_next(request)
        if response.headers.get("content-type", "").startswith("text/html"):
            for name, value in PAGE_SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
        else:
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if request.url.path.startswith(("/api/", "/console")):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    # Outermost: every route (limits, console sign-in, Secure cookies) sees the visitor's address and
    # scheme, believed from configured proxies only.
    app.add_middleware(TrustedProxyHeaders, trusted_proxies=settings.web.trusted_proxies)

    app.include_router(pages.router)
    app.include_router(gateway.router)
    app.include_router(live.router)
    console.install(app)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    return app
