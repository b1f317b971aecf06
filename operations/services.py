"""Writes on operations shared by the UI and the API: one code path for each."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from .choices import Status
from .models import JointOperation
from .workflow import StaleTransition, TransitionForbidden, _lock, can_edit, is_state_officer, record_material_change


def create_operation(user: Any, fields: dict[str, Any], participant_roles: dict[int, str]) -> JointOperation:
    """A new draft led by the user's state, with its participants and grants."""
    if not is_state_officer(user, user.state_id):
        raise TransitionForbidden(_("Only a liaison officer of a state creates an operation for that state."))
    with transaction.atomic():
        op = JointOperation(**fields, lead_state_id=user.state_id, created_by=user, status=Status.DRAFT)
        op.full_clean(exclude=["reference"])
        op.save()
        op.set_participants(participant_roles)
    return op


def update_operation(
    op: JointOperation | int,
    user: Any,
    fields: dict[str, Any],
    participant_roles: dict[int, str] | None = None,
    expected_version: int | None = None,
) -> JointOperation:
    """Edit an operation being agreed, under the row lock.

    A change to a material field or to the participants raises the version and
    puts every consent back to pending (a state consents to a version).
    """
    with transaction.atomic():
        locked = _lock(op)
        if not can_edit(user, locked):
            raise TransitionForbidden(_("You cannot edit this operation in its current state."))
        if expected_version is not None and expected_version != locked.version:
            raise StaleTransition(_("The operation was changed meanwhile; reload it before editing."))
        material = False
        for name, value in fields.items():
            if getattr(locked, name) != value:
                material |= name in JointOperation.MATERIAL_FIELDS
                setattr(locked, name, value)
        locked.full_clean(exclude=["reference"])
        locked.save()
        if participant_roles is not None:
            material |= locked.set_participants(participant_roles)
        if material:
            record_material_change(locked, user)
    return locked
