"""Browser tests: Debian's Chromium driven by Playwright against the real stack (Rasa, actions, web app).

Why Debian's Chromium: `playwright install` cannot download browsers here, and the distribution's
package is kept patched. It is installed when missing (as root), else the run stops and says how.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import time
import warnings
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from bot.settings import PROJECT_ROOT
from tests.receivers import SmtpServer
from tests.servers import STORES, Stack, store_env

HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = PROJECT_ROOT / "var" / "screenshots"
# Generous waits: CI shares two cores with Rasa, the action server, the web app and Chromium, and a
# screenshot or an assertion that waits 5 s fails there under load although the page is right.
# A real failure (the element never appears) still fails, only later.
ACTION_TIMEOUT_MS = 45_000
expect.set_options(timeout=20_000)
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
INSTALL_HINT = (
    "Chromium is not installed, and these tests need it. Install it, then run the tests again:\n"
    "  sudo apt-get update && sudo apt-get install -y chromium      (Debian, Ubuntu)\n"
    "or run `make browser-deps` as root."
)


def chromium_executable() -> str:
    """Debian's Chromium; installed with apt-get when missing and we are root, else a plain failure."""
    path = shutil.which("chromium")
    if path:
        return path
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update"], check=False, env=env)
        subprocess.run(["apt-get", "install", "-y", "chromium"], check=False, env=env)
        path = shutil.which("chromium")
        if path:
            return path
    pytest.fail(INSTALL_HINT, pytrace=False)


def axe_script() -> Path:
    """axe-core, vendored by `make browser-deps` (npm) into the git-ignored node_modules/."""
    if not AXE.exists() and shutil.which("npm"):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=False)
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make browser-deps` (needs npm).", pytrace=False)
    return AXE


@pytest.fixture(scope="package")
def smtp() -> Iterator[SmtpServer]:
    """A local SMTP server that receives the console's alerts."""
    with SmtpServer() as server:
        yield server


def settings_with_alerts(folder: Path, smtp: SmtpServer) -> Path:
    """settings.yml as the clinic has it, plus alerts by e-mail to the local SMTP server."""
    raw = yaml.safe_load((PROJECT_ROOT / "settings.yml").read_text(encoding="utf-8"))
    raw["alerts"] = {**(raw.get("alerts") or {}), "smtp_host": "127.0.0.1", "smtp_port": smtp.port,
                     "smtp_security": "none", "email_from": "console@clinic.example",
                     "email_to": ["duty@clinic.example"], "check_every_seconds": 1}
    path = folder / "settings.yml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


@pytest.fixture(scope="package", params=STORES)
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
          smtp: SmtpServer) -> Iterator[Stack]:
    """Rasa, actions and the web app on free ports, as `bot run` starts them; alerts go to `smtp`. Once on
    SQLite, once on PostgreSQL + Redis (skipped, saying which is missing, without them)."""
    settings_file = settings_with_alerts(tmp_path_factory.mktemp("browser-settings"), smtp)
    smtp.inbox.messages.clear()  # the alerts of this stack's run only
    with store_env(request.param) as env:
        var = tmp_path_factory.mktemp(f"browser-var-{request.param[:6]}")
        running = Stack(var, web=True, extra_env={"BOT_SETTINGS_FILE": str(settings_file), **env})
        try:
            yield running.start()
        finally:
            running.stop()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    executable = chromium_executable()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def new_context(browser: Browser, width: int = 1280, height: int = 800, **extra) -> BrowserContext:
    # bypass_csp: axe-core is injected as an inline script, which the page's CSP rightly forbids.
    return browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True, **extra)


@pytest.fixture(scope="module")
def context(browser: Browser) -> Iterator[BrowserContext]:
    """One browser profile per test module, so localStorage (the sender id) carries across its tests."""
    created = new_context(browser)
    yield created
    created.close()


@pytest.fixture(scope="module")
def page(context: BrowserContext, stack: Stack) -> Page:
    opened = context.new_page()
    opened.set_default_timeout(ACTION_TIMEOUT_MS)
    opened.goto(stack.web_url + "/")
    return opened


class Screenshots:
    """Takes the screenshots docs/ uses (var/screenshots/NAME).

    Why not `page.screenshot` directly: a screenshot is an artefact, not a check, and Chromium on a
    loaded machine sometimes refuses one ("Protocol error (Page.captureScreenshot): Unable to capture
    screenshot"). That once failed a console test whose page was right, and with it every later test
    of the module, since they share one signed-in profile. Retried once; then a warning, and the
    assertions around it decide."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def take(self, target: Any, name: str, **options: Any) -> None:
        """Screenshot a Page or Locator to var/screenshots/`name` (Playwright's options, e.g. full_page)."""
        for attempt in (1, 2):
            try:
                target.screenshot(path=str(self.folder / name), **options)
                return
            except PlaywrightError as error:
                if attempt == 2:
                    warnings.warn(f"screenshot {name} not taken: {error.message.splitlines()[0]}", stacklevel=2)
                else:
                    time.sleep(1)


@pytest.fixture(scope="session")
def screenshots() -> Screenshots:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return Screenshots(SCREENSHOTS)
