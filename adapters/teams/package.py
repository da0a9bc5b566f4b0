"""The Teams app package: manifest.json, a 192x192 colour icon and a 32x32 outline icon, zipped.

Upload the zip in Teams (Apps > Manage your apps > Upload an app) after registering
the bot (Azure Bot resource, messaging endpoint `https://HOST/api/messages`). The
icons are drawn here with zlib and struct only, so the package needs no image files
or libraries. Every word shown in Teams comes from `chatbot.messages`.
"""

from __future__ import annotations

import json
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chatbot.messages import t

MANIFEST_VERSION = "1.17"
MANIFEST_SCHEMA = ("https://developer.microsoft.com/en-us/json-schemas/teams/"
                   f"v{MANIFEST_VERSION}/MicrosoftTeams.schema.json")
ACCENT = (0x1D, 0x6F, 0xA5)  # the blue of the colour icon and the app's accent colour
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
SCOPES = ["personal", "team", "groupChat"]
# Teams shows at most 10 commands a list: the ones staff type most.
COMMANDS = [("xpost", "cmd_form"), ("xpost event", "cmd_propose"), ("xpost check", "cmd_check"),
            ("xpost list", "cmd_list"), ("xpost status", "cmd_status"),
            ("xpost show", "cmd_show"), ("xpost edit", "cmd_edit"),
            ("xpost withdraw", "cmd_withdraw"), ("xpost impersonation", "cmd_impersonation"),
            ("xpost help", "cmd_help")]


class PackageError(ValueError):
    """The package cannot be built as asked (a bad app id)."""


def manifest(app_id: str, lang: str = "ja", version: str = "1.0.0",
             website_url: str = "https://www.city.komae.tokyo.jp/") -> dict[str, Any]:
    if not GUID.match(app_id):
        raise PackageError(f"--app-id は GUID で指定してください / --app-id must be a GUID: "
                           f"{app_id!r}")
    return {
        "$schema": MANIFEST_SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": app_id,
        "defaultLanguageTag": "ja-jp" if lang == "ja" else "en-us",
        "developer": {"name": t("app_developer", lang), "websiteUrl": website_url,
                      "privacyUrl": website_url, "termsOfUseUrl": website_url},
        "name": {"short": "xpost", "full": t("app_name_full", lang)},
        "description": {"short": t("app_description_short", lang),
                        "full": t("app_description_full", lang)},
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [{
            "botId": app_id,
            "scopes": SCOPES,
            "supportsFiles": False,
            "isNotificationOnly": False,
            "commandLists": [{"scopes": SCOPES, "commands": [
                {"title": title, "description": t(key, lang)} for title, key in COMMANDS]}],
        }],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [],
    }


def build_package(app_id: str, out: Path, lang: str = "ja", version: str = "1.0.0") -> Path:
    data = json.dumps(manifest(app_id, lang, version), ensure_ascii=False, indent=2)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", data)
        archive.writestr("color.png", color_icon())
        archive.writestr("outline.png", outline_icon())
    return out


# -- icons ------------------------------------------------------------------------------

Pixel = tuple[int, int, int, int]


def png(size: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    """An RGBA PNG of `size` x `size` whose pixels `pixel(x, y)` gives."""
    rows = b"".join(b"\x00" + b"".join(struct.pack("4B", *pixel(x, y)) for x in range(size))
                    for y in range(size))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def _on_cross(x: int, y: int, size: int, width: float) -> bool:
    """On the X-shaped mark that fills the middle of the icon."""
    margin = size * 0.28
    if not (margin <= x <= size - margin and margin <= y <= size - margin):
        return False
    return abs(x - y) <= width or abs(x + y - (size - 1)) <= width


def color_icon(size: int = 192) -> bytes:
    """The full-colour icon: a white mark on the accent blue."""
    white: Pixel = (255, 255, 255, 255)
    blue: Pixel = (*ACCENT, 255)
    return png(size, lambda x, y: white if _on_cross(x, y, size, size * 0.06) else blue)


def outline_icon(size: int = 32) -> bytes:
    """The outline icon Teams wants: white on transparent, nothing else."""
    white: Pixel = (255, 255, 255, 255)
    clear: Pixel = (0, 0, 0, 0)

    def pixel(x: int, y: int) -> Pixel:
        border = x in (1, size - 2) or y in (1, size - 2)
        inside = 1 <= x <= size - 2 and 1 <= y <= size - 2
        return white if (border and inside) or _on_cross(x, y, size, 1.0) else clear

    return png(size, pixel)
