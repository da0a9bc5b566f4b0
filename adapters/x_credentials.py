"""The four OAuth 1.0a user-context values X needs, shared by the gateway and the stand-in.

The repr shows only that values are set: a credentials object that ends up in a
log line or a traceback must not carry the secrets with it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field


@dataclass(frozen=True)
class XCredentials:
    api_key: str = field(repr=False)
    api_secret: str = field(repr=False)
    access_token: str = field(repr=False)
    access_token_secret: str = field(repr=False)

    @classmethod
    def generate(cls) -> XCredentials:
        """Throw-away values for a local stand-in (tests, the local demo mode)."""
        return cls(
            api_key=f"local-key-{secrets.token_hex(8)}",
            api_secret=f"local-secret-{secrets.token_hex(16)}",
            access_token=f"1580000000000000001-{secrets.token_hex(12)}",
            access_token_secret=f"local-token-secret-{secrets.token_hex(16)}",
        )

    def values(self) -> tuple[str, str, str, str]:
        """All four, for redaction: none of them belongs in a log line."""
        return (self.api_key, self.api_secret, self.access_token, self.access_token_secret)

    def __repr__(self) -> str:
        return "XCredentials(<redacted>)"
