"""Images attached in the proposal form, fetched from Slack with the bot token.

A `file_input` hands the bot Slack file objects, not bytes: each has a
`url_private_download` (or `url_private`) that answers only to
`Authorization: Bearer <bot token>`. The token goes only to the Slack the app
talks to (the host of its Web API base URL, or files.slack.com over https) and
never follows a redirect, so a crafted URL cannot carry it elsewhere; it is
never logged.

What comes back is checked before anything is kept: at most 5 MB (X's limit for
an image), and the bytes must be a JPEG, PNG, GIF or WebP whatever the file
claims to be. A refusal is an `ImageRefused` naming the file, in the person's
language, for the form's image field.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from chatbot.errors import WorkflowError

log = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 5 * 1024 * 1024  # X: images up to 5 MB
SLACK_FILES_HOST = "files.slack.com"
DOWNLOAD_TIMEOUT_SECONDS = 2.0  # the form's answer must reach Slack within 3 s
_MB = 1024 * 1024


class ImageRefused(WorkflowError):
    """An attached file that cannot go on X as an image (too large, not an image, unreadable)."""


@dataclass(frozen=True)
class Image:
    filename: str
    content_type: str
    data: bytes


def sniff(data: bytes) -> str | None:
    """The image type the bytes really are, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an error here: the token must not follow it


class SlackFiles:
    """Fetches a form's files with the bot token, as the WebClient is set up."""

    def __init__(self, token: str, api_url: str, timeout: float = DOWNLOAD_TIMEOUT_SECONDS,
                 max_bytes: int = MAX_IMAGE_BYTES) -> None:
        self._token = token
        api = urlsplit(api_url)
        self._api_origin = (api.scheme, api.netloc)
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._opener = urllib.request.build_opener(_NoRedirects)

    @classmethod
    def from_client(cls, client: Any) -> SlackFiles:
        """The same token and base URL as the app's `WebClient`."""
        return cls(str(client.token or ""), str(client.base_url))

    def fetch_all(self, files: list[dict[str, Any]]) -> list[Image]:
        """Every file, fetched side by side; the first refusal (in form order) is raised."""
        for file in files:  # what can be refused without a download is, first
            self._precheck(file)
        if not files:
            return []
        with ThreadPoolExecutor(min(len(files), 4), thread_name_prefix="slack-file") as pool:
            futures = [pool.submit(self.fetch, f) for f in files]
            return [future.result() for future in futures]

    def fetch(self, file: dict[str, Any]) -> Image:
        self._precheck(file)
        name = _name(file)
        url = str(file.get("url_private_download") or file.get("url_private") or "")
        if not self._trusted(url):
            log.warning("file %s: its URL is not on the Slack the app talks to",
                        file.get("id", "?"))
            raise ImageRefused("slack_image_unreadable", name=name)
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {self._token}"})
        try:
            with self._opener.open(request, timeout=self.timeout) as answer:
                length = int(answer.headers.get("Content-Length") or 0)
                if length > self.max_bytes:
                    raise self._too_large(name, length)
                data = answer.read(self.max_bytes + 1)
        except (urllib.error.URLError, OSError, ValueError) as error:
            status = getattr(error, "code", None)
            log.warning("file %s could not be fetched (%s)", file.get("id", "?"),
                        status or type(error).__name__)
            raise ImageRefused("slack_image_unreadable", name=name) from error
        if len(data) > self.max_bytes:
            raise self._too_large(name, int(file.get("size") or len(data)))
        content_type = sniff(data)
        if content_type is None:
            raise ImageRefused("slack_image_not_image", name=name)
        return Image(name, content_type, data)

    def _precheck(self, file: dict[str, Any]) -> None:
        name = _name(file)
        size = int(file.get("size") or 0)
        if size > self.max_bytes:
            raise self._too_large(name, size)
        mimetype = str(file.get("mimetype") or "")
        if mimetype and not mimetype.startswith("image/"):
            raise ImageRefused("slack_image_not_image", name=name)

    def _too_large(self, name: str, size: int) -> ImageRefused:
        return ImageRefused("slack_image_too_large", name=name, size_mb=f"{size / _MB:.1f}",
                            limit_mb=f"{self.max_bytes / _MB:g}")

    def _trusted(self, url: str) -> bool:
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) == self._api_origin:
            return True
        return parts.scheme == "https" and parts.hostname == SLACK_FILES_HOST


def _name(file: dict[str, Any]) -> str:
    return str(file.get("name") or file.get("title") or file.get("id") or "?")
