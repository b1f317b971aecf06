"""Role groups and the model permissions each one carries.

Each app declares the permissions its roles need in its AppConfig as
`role_permissions = {Role.X: ["app.codename", ...]}`; `sync_roles()` (run after
every migrate) makes the groups match. Missing permissions are skipped, so an app
that has not migrated yet breaks nothing.
"""

from typing import Any

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    LIAISON_OFFICER = "Liaison officer", _("Liaison officer")
    COORDINATOR = "Coordinator", _("Coordinator")
    ANALYST = "Analyst", _("Analyst")
    DONOR_RELATIONS = "Donor relations", _("Donor relations")
    PARTNER_SYSTEM = "Partner system", _("Partner system")
    ADMINISTRATOR = "Administrator", _("Administrator")


def is_state_officer(user: Any, state_id: int | None) -> bool:
    """A liaison officer acting for the given state. A partner-system account of the
    same state is not an officer: it files and reads, it never decides (issue 10).
    The one test of "officer-only" writes, used by operations, intel and notices."""
    return (
        bool(user and user.is_authenticated and user.is_active)
        and state_id is not None
        and user.state_id == state_id
        and user.has_role(Role.LIAISON_OFFICER)
    )


def is_centre_staff(user: Any) -> bool:
    """A coordinator or analyst of the centre (no state): the author of the centre's own products."""
    return (
        bool(user and user.is_authenticated and user.is_active)
        and not user.state_id
        and user.has_role(Role.COORDINATOR, Role.ANALYST)
    )


def is_partner_system(user: Any) -> bool:
    return bool(user and user.is_authenticated) and user.has_role(Role.PARTNER_SYSTEM)


def declared_role_permissions() -> dict[str, set[str]]:
    """Union of every installed app's `role_permissions` declaration."""
    result: dict[str, set[str]] = {role: set() for role in Role.values}
    for config in apps.get_app_configs():
        for role, perms in getattr(config, "role_permissions", {}).items():
            result[str(role)].update(perms)
    return result


def sync_roles(sender=None, **kwargs) -> None:
    """Create the role groups and give each exactly its declared permissions.

    Connected to post_migrate, which fires once per app; we act on the last
    app's signal only, when every app's permissions exist.
    """
    from django.contrib.auth.models import Group, Permission

    with_models = [c for c in apps.get_app_configs() if c.models_module is not None]
    if sender is not None and sender is not with_models[-1]:
        return

    for role, perms in declared_role_permissions().items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".", 1)
            found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if found is not None:
                wanted.append(found)
        group.permissions.set(wanted)
