"""Driving the local workspace page in tests: its stable hooks, in one place."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def shooter(page: object, folder: Path) -> Callable[[str], None]:
    def shot(name: str) -> None:
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]

    return shot


def open_channel(page: object, channel: str) -> None:
    """Click a channel and wait until the conversation shown is that one."""
    from playwright.sync_api import expect

    page.click(f"[data-testid=channel-{channel}]")  # type: ignore[attr-defined]
    title = "xpost（ボット）との DM" if channel == "dm" else f"# {channel}"
    expect(page.locator("#conversation-title")).to_have_text(title)  # type: ignore[attr-defined]


def act_as(page: object, role: str) -> None:
    from playwright.sync_api import expect

    page.click(f"[data-testid=as-{role}]")  # type: ignore[attr-defined]
    expect(page.locator(f"[data-testid=as-{role}]")).to_have_class(  # type: ignore[attr-defined]
        re.compile(r"\bactive\b"))
