"""What every long-running subcommand shares: logging, settings and the container."""

from __future__ import annotations

import logging
import sys

from adapters.bootstrap import Container, build
from adapters.settings import SettingsError, load_settings
from policies import PolicyFileError


def setup_logging() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def container_or_exit() -> Container:
    """The container from the environment; a bad setting is one clear line and exit 2."""
    try:
        return build(load_settings())
    except (SettingsError, PolicyFileError) as error:
        sys.stderr.write(f"xpost: {error}\n")
        raise SystemExit(2) from None
