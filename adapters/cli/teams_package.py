"""`xpost teams-package`: build the Teams app package (manifest and icons, zipped)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from adapters.teams.package import PackageError, build_package


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "teams-package",
        help="Teams アプリのパッケージを作る / build the Teams app package",
        description="Teams にアップロードする zip（manifest.json とアイコン）を作ります / "
                    "Build the zip to upload to Teams (manifest.json and icons).",
    )
    parser.add_argument("--app-id", required=True,
                        help="ボットの Microsoft App ID（GUID） / the bot's Microsoft App ID")
    parser.add_argument("--out", type=Path, default=Path("xpost-teams.zip"),
                        help="出力先 / output file (default: xpost-teams.zip)")
    parser.add_argument("--version", default="1.0.0", help="アプリの版 / app version")
    parser.add_argument("--lang", choices=["ja", "en"], default="ja")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        out = build_package(args.app_id, args.out, args.lang, args.version)
    except PackageError as error:
        sys.stderr.write(f"xpost: {error}\n")
        return 2
    print(f"{out}")
    return 0
