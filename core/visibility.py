"""The one base of every `visible_to(user)`: the rule every model shares, in one place.

Every model a user can list, open, search, export or count has a queryset whose
class derives from `VisibleQuerySet`. Its `visible_to(user, action)` applies the
rule every model has in common (no user, an anonymous or an inactive user sees
nothing) and then asks the model's own rule, `visible_for_user(user, action)`:
grants to the user's state (core.sharing.ShareableQuerySet), a centre role
(donors), the requester's own rows (reports)... docs/ARCHITECTURE.md describes the
rules; tests/core/test_visibility_contract.py holds every such model to them.
"""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from typing import Any, Self

from django.db import models
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

# What a home panel counts at most: counting is a walk, so it stops one row past
# the cap (a LIMIT subquery on the list's own index) and says "more than N".
PANEL_COUNT_CAP = 99


def can_see_anything(user: Any) -> bool:
    """False for no user, an anonymous user or a deactivated account."""
    return user is not None and user.is_authenticated and user.is_active


def holds_model_permission(user: Any, model: type[models.Model], action: str) -> bool:
    """Whether the user holds `<action>_<model>` model-wide (a centre role, an administrator)."""
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")


class VisibleQuerySet(models.QuerySet, metaclass=ABCMeta):
    """Base queryset of every model with a visibility rule.

    Subclasses implement `visible_for_user`; callers only ever use `visible_to`.
    """

    def visible_to(self, user: Any, action: str = "view") -> Self:
        """The rows `user` may see (or hold `action` on): the single visibility path."""
        if not can_see_anything(user):
            return self.none()
        return self.visible_for_user(user, action)

    @abstractmethod
    def visible_for_user(self, user: Any, action: str) -> Self:
        """The model's own rule, for an authenticated, active user."""


def capped_count(
    queryset: models.QuerySet, cap: int = PANEL_COUNT_CAP, *, in_list_order: bool = False
) -> int | str | Promise:
    """The number of rows, or "more than `cap`": `SELECT COUNT(*) FROM (... LIMIT cap + 1)`.

    Only the primary key is selected (annotations such as a per-row EXISTS are not
    evaluated for a count). Unordered by default, so PostgreSQL may read the rows
    from whichever index serves the filter; it stops after cap + 1 rows whatever
    the user may see. `in_list_order=True` keeps the queryset's ordering: for a list
    whose order an index serves, the count then walks that index exactly as the
    page does (an unordered count of a state's inbox at 1M records was planned as a
    merge join or a sequential scan, 27-38 ms, where the ordered walk costs 3-4 ms:
    docs/performance.md, issue 15, section 3).
    """
    limited = queryset if in_list_order else queryset.order_by()
    n = limited.values("pk")[: cap + 1].count()
    return n if n <= cap else format_lazy(_("more than {n}"), n=cap)
