"""Idempotency-Key for API writes: one answer per key, and only for the same request.

A client that retries a POST after a lost answer sends the same key and gets
the first answer back instead of a second object. The key is bound to the
request's fingerprint (method, path and canonical JSON body): the same key
with another body is refused with 422, never answered with someone else's
result. Keys live IDEMPOTENCY_KEY_TTL_HOURS (24 h); expired ones are ignored
on lookup and deleted by `core.tasks.purge_expired_keys`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from .models import IdempotencyKey

HEADER = "Idempotency-Key"


class KeyReused(exceptions.APIException):
    """422: the key was used for a different request."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("This Idempotency-Key was already used with a different request body; use a new key.")
    default_code = "idempotency_key_reused"


def fingerprint(method: str, path: str, body: Any) -> str:
    """SHA-256 of the method, the path and the body as canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(f"{method.upper()}\n{path}\n{canonical}".encode()).hexdigest()


class IdempotentRequest:
    """The Idempotency-Key of one API request (no key: every method is a no-op).

    `replay()` answers a previous request with the same key (or raises KeyReused);
    `remember(status, data)` stores the answer, inside the caller's transaction.
    """

    def __init__(self, request, endpoint: str) -> None:
        self.user = request.user
        self.endpoint = endpoint
        self.key = (request.headers.get(HEADER) or "").strip()[:200]
        self.fingerprint = fingerprint(request.method, request.path, request.data) if self.key else ""

    def _previous(self) -> IdempotencyKey | None:
        return IdempotencyKey.objects.filter(user=self.user, endpoint=self.endpoint, key=self.key).first()

    def replay(self) -> Response | None:
        """The stored answer for this key, or None when the key is new (or expired)."""
        if not self.key:
            return None
        previous = self._previous()
        if previous is None:
            return None
        if not IdempotencyKey.objects.live().filter(pk=previous.pk).exists():
            previous.delete()  # expired: the key is free again
            return None
        if previous.fingerprint and previous.fingerprint != self.fingerprint:
            raise KeyReused()
        return Response(previous.response, status=previous.status_code)

    def remember(self, status_code: int, data: Any) -> None:
        if self.key:
            IdempotencyKey.objects.create(
                user=self.user,
                endpoint=self.endpoint,
                key=self.key,
                fingerprint=self.fingerprint,
                status_code=status_code,
                response=data,
            )

    def replay_after_race(self) -> Response | None:
        """After an IntegrityError: another request with this key committed first; answer what it answered."""
        if not self.key:
            return None
        with transaction.atomic():
            return self.replay()
