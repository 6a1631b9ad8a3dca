"""The demo clinic page, the privacy page and the health check.

Why a realistic demo page: it embeds the widget exactly as a clinic's own site would (one script tag),
so the browser tests exercise the real embedding, and clinics can copy the snippet from it.
"""
from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates

from bot.web.gateway import widget_config
from bot.web.resources import contact_links
from bot.web.state import web_state

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
TEMPLATES.env.globals["contact_links"] = contact_links
router = APIRouter()


def _phone_href(phone: str) -> str:
    return "tel:" + "".join(c for c in phone if c.isdigit() or c == "+")


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    web = web_state(request)
    base_url = str(request.base_url)
    return TEMPLATES.TemplateResponse(request, "index.html", {
        "clinic": web.settings.clinic,
        "clinic_phone_href": _phone_href(web.settings.clinic.phone),
        "config": widget_config(web, base_url),
        "widget_src": f"{base_url}static/widget.js",
        "server_url": base_url.rstrip("/"),
    })


@router.get("/privacy", response_class=HTMLResponse)
def privacy(request: Request) -> HTMLResponse:
    web = web_state(request)
    return TEMPLATES.TemplateResponse(request, "privacy.html", {
        "clinic": web.settings.clinic,
        "clinic_phone_href": _phone_href(web.settings.clinic.phone),
        "config": widget_config(web, str(request.base_url)),
        "retention_days": web.settings.conversations.retention_days,
        "case_retention_days": web.settings.conversations.case_retention_days,
    })


@router.get("/healthz")
def healthz() -> JSONResponse:
    """Liveness for `bot run`'s readiness check: the web app answers (Rasa has its own check)."""
    return JSONResponse({"status": "ok"})
