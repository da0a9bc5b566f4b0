"""`xpost status`: what `/xpost status` shows in the chats, on the command line."""

from __future__ import annotations

import argparse
from typing import Any

from adapters.cli._common import container_or_exit


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "status", help="運用状況（今月の投稿数・費用、X の残り回数） / account status, "
                       "posts and spend this month, X calls left")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    print(container_or_exit().commands.status_view().text)
    return 0
