"""API token scopes: what a partner system's token may do, checked on every call (issue 16).

- `read`: every GET/HEAD/OPTIONS (except the webhooks endpoints);
- `seizures`: writing seizure reports (the seizures API and STIX import);
- `write`: any other write the account's permissions allow (requests for information, responses...);
- `webhooks`: managing webhook subscriptions (reads included).

A view names the scope its writes need with `partner_write_scope`, or the scope of all
its calls with `partner_scope`. Sessions (persons) are not scoped: their roles decide.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions

SCOPES = {
    "read": _("Read what the account may see"),
    "seizures": _("Write seizure reports (seizures API, STIX import)"),
    "write": _("Other writes (requests for information, responses...)"),
    "webhooks": _("Manage webhook subscriptions"),
}
ALL_SCOPES = list(SCOPES)


def default_scopes() -> list[str]:
    return list(ALL_SCOPES)


def required_scope(request, view) -> str:
    scope = getattr(view, "partner_scope", None)
    if scope:
        return scope
    if request.method in permissions.SAFE_METHODS:
        return "read"
    return getattr(view, "partner_write_scope", "write")


def check_token_scope(request, token) -> None:
    """403 naming the missing scope when the token does not carry what this call needs."""
    view = (getattr(request, "parser_context", None) or {}).get("view")
    if view is None:
        return
    scope = required_scope(request, view)
    if scope not in (token.scopes or []):
        raise exceptions.PermissionDenied(
            _("This token lacks the scope “%(scope)s” that this call needs.") % {"scope": scope}
        )
