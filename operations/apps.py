from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from members.roles import Role


class OperationsConfig(AppConfig):
    name = "operations"
    verbose_name = _("Joint operations")

    role_permissions = {
        # Coordinators and analysts see every operation through the model permission;
        # states see theirs through object grants on their group.
        Role.COORDINATOR: ["operations.view_jointoperation", "operations.approve_jointoperation"],
        Role.ANALYST: ["operations.view_jointoperation"],
        # Officers create operations for their own state (which becomes the lead state).
        Role.LIAISON_OFFICER: ["operations.add_jointoperation"],
    }
    nav_items = [
        (_("Operations"), "operations:operation-list", [Role.LIAISON_OFFICER, Role.COORDINATOR, Role.ANALYST]),
    ]

    def home_panels(self, request) -> list[dict]:
        """Operations needing the user's attention, counted through visible_to."""
        from django.db.models import Exists, OuterRef
        from django.urls import reverse

        from core.visibility import capped_count

        from .choices import Consent, ParticipantRole, Status
        from .models import JointOperation, Participation
        from .workflow import is_coordinator

        user = request.user
        if not (user.is_authenticated and (user.has_perm("operations.view_jointoperation") or user.state_id)):
            return []
        if user.is_partner_system:
            return []
        visible = JointOperation.objects.visible_to(user).not_archived()
        panels = [
            {
                "title": _("Running operations"),
                "value": capped_count(visible.filter(status__in=[Status.APPROVED, Status.ACTIVE, Status.SUSPENDED])),
                "text": _("Approved, active or suspended joint operations you take part in or oversee."),
                "url": reverse("operations:timeline"),
                "link_text": _("Timeline"),
            }
        ]
        if is_coordinator(user):
            panels.append(
                {
                    "title": _("Awaiting approval"),
                    "value": capped_count(visible.filter(status=Status.AWAITING_APPROVAL)),
                    "text": _("Operations every participating state has consented to."),
                    "url": reverse("operations:operation-list") + f"?status={Status.AWAITING_APPROVAL}",
                    "link_text": _("Review"),
                }
            )
        elif user.state_id:
            panels.append(
                {
                    "title": _("Consent requested"),
                    "value": capped_count(
                        visible.filter(
                            Exists(
                                Participation.objects.filter(
                                    operation=OuterRef("pk"), state_id=user.state_id, consent=Consent.PENDING
                                ).exclude(role=ParticipantRole.OBSERVER)
                            ),
                            status=Status.PROPOSED,
                        )
                    ),
                    "text": _("Proposed operations waiting for your state's consent."),
                    "url": reverse("operations:operation-list") + f"?status={Status.PROPOSED}",
                    "link_text": _("Review"),
                }
            )
        return panels
