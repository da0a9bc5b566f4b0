"""The `xpost` command line: one module per subcommand, each with `register(subparsers)`.

A subcommand module defines `register(subparsers)` that adds its parser and sets
`func` (taking the parsed args, returning the exit status).
"""

from __future__ import annotations

import argparse
import importlib
import sys

# Add a subcommand by adding its module name here.
SUBCOMMANDS: list[str] = ["check", "web", "worker", "teams_package", "local", "audit", "status"]


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors exit 2 with a short message and no traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"xpost: 使い方の誤り / usage error: {message}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="xpost", description="狛江市子ども若者政策課 X 運用ボット / xpost")
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in SUBCOMMANDS:
        importlib.import_module(f"adapters.cli.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
