"""Who may do what (art. 3): staff propose, the chief decides, delegates decide for the chief.

Identities are chat user ids per platform, from configuration; the role is looked up
on the server for every decision, never taken from the request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from chatbot.errors import PermissionDenied
from chatbot.model import Actor, Role


def _ids_by_platform(ids: Mapping[str, Iterable[str]] | None) -> dict[str, set[str]]:
    return {p: {i.strip() for i in some if i.strip()} for p, some in (ids or {}).items()}


class RoleDirectory:
    def __init__(
        self,
        chiefs: Mapping[str, Iterable[str]] | None = None,
        delegates: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        self._chiefs = _ids_by_platform(chiefs)
        self._delegates = _ids_by_platform(delegates)

    def role_of(self, actor: Actor) -> Role:
        if actor.user_id in self._chiefs.get(actor.platform, set()):
            return Role.CHIEF
        if actor.user_id in self._delegates.get(actor.platform, set()):
            return Role.DELEGATE
        return Role.STAFF

    def require_decider(self, actor: Actor) -> Role:
        role = self.role_of(actor)
        if not role.may_decide:
            raise PermissionDenied("permission_denied")
        return role

    def chiefs(self, platform: str) -> list[str]:
        return sorted(self._chiefs.get(platform, set()))

    def delegates(self, platform: str) -> list[str]:
        return sorted(self._delegates.get(platform, set()))
