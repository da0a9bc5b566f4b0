"""The local stack in the test's own process, and where screenshots go."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.embedded_redis import free_port
from adapters.local.stack import LocalStack
from tests.local.workspace_page import CHROMIUM, CHROMIUM_ARGS
from tests.open_hours import open_posting_hours  # noqa: F401 (autouse: real-clock tests)

REPO_ROOT = Path(__file__).resolve().parents[2]


class RunningStack:
    """A LocalStack on an event loop of its own thread, as `xpost local` runs it."""

    def __init__(self, data_dir: Path) -> None:
        self.stack = LocalStack(port=free_port(), data_dir=data_dir)
        self._loop = asyncio.new_event_loop()
        self._stopped = asyncio.Event()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="local-stack", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        try:
            await self.stack.start()
        except BaseException as error:  # reported to the test thread
            self._error = error
            self._ready.set()
            return
        self._ready.set()
        await self._stopped.wait()
        await self.stack.stop()

    def start(self) -> RunningStack:
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._stopped.set)
        self._thread.join(15)


@pytest.fixture
def local_stack(tmp_path: Path) -> Iterator[LocalStack]:
    running = RunningStack(tmp_path / "data").start()
    try:
        yield running.stack
    finally:
        running.stop()


@pytest.fixture
def screenshots(request: pytest.FixtureRequest) -> Path:
    """`test-output/<test name>/` at the repo root (gitignored), emptied for this run."""
    folder = REPO_ROOT / "test-output" / re.sub(r"[^\w.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    print(f"screenshots: {folder}")
    return folder


@pytest.fixture
def browser_page() -> Iterator[object]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which(CHROMIUM):
        message = f"{CHROMIUM} is not installed (scripts/test installs it as root)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs it: a missing browser is a broken set-up
        pytest.skip(message)  # a newcomer without root: say so instead of failing
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="ja-JP")
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            browser.close()
