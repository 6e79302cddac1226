"""Headless Chromium and one browser session on the chat UI, for the browser tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 90_000  # one answer or one upload; generous for 2 shared cores
SHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
LOCAL = ("http://127.0.0.1", "data:", "blob:")  # what a page may load without leaving the machine


@contextmanager
def chromium() -> Iterator[object]:
    """Debian's Chromium driven by Playwright (skips the test when either is missing)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not executable:
        pytest.skip("Debian's Chromium is not installed: apt-get install chromium")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class ChatPage:
    """One browser session on the app at ``url``, with the few actions the tests need. Requests
    that leave the machine are kept in ``outside``; with ``record_dialogs``, dialogs are dismissed
    and their messages kept in ``dialogs``."""

    def __init__(self, browser, url: str, *, record_dialogs: bool = False) -> None:
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.outside: list[str] = []
        self.dialogs: list[str] = []
        if record_dialogs:
            self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("request", lambda r: self.outside.append(r.url) if not r.url.startswith(LOCAL) else None)
        self.page.goto(url)

    def wait_chat(self) -> ChatPage:
        """Wait until the question box is there; return this page."""
        self.page.wait_for_selector("#question textarea")
        return self

    def answers(self):
        return self.page.locator("#chat .answer:not(.streaming)")

    def submit(self, question: str) -> int:
        """Send a question without waiting; returns the number of finished answers before it."""
        before = self.answers().count()
        self.page.fill("#question textarea", question)
        self.page.press("#question textarea", "Enter")
        return before

    def wait_answer(self, before: int):
        self.page.wait_for_function(
            f"document.querySelectorAll('#chat .answer:not(.streaming)').length > {before}", timeout=TIMEOUT_MS)
        return self.answers().nth(before)

    def ask(self, question: str):
        return self.wait_answer(self.submit(question))

    def tab(self, name: str) -> None:
        self.page.get_by_role("tab", name=name).click()

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()
