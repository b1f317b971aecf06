from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntelConfig(AppConfig):
    name = "intel"
    verbose_name = _("Information exchange")

    # Model-level permissions; object-level ones come from grants to state groups.
    role_permissions = {
        "Coordinator": [
            "intel.view_intelrecord",
            "intel.change_intelrecord",
            "intel.share_intelrecord",
            "intel.view_accesslog_intelrecord",
        ],
        "Analyst": ["intel.view_intelrecord", "intel.view_accesslog_intelrecord"],
        "Liaison officer": ["intel.add_intelrecord"],
        "Partner system": ["intel.add_intelrecord"],
    }
    nav_group = _("Information exchange")
    nav_items = [
        (_("Inbox"), "intel:inbox", None),
        (_("Records"), "intel:record-list", None),
        (_("Search"), "intel:search", None),
        (_("Seizure dashboard"), "intel:dashboard", None),
        (_("Centre products"), "intel:centre-products", None),
    ]

    def home_panels(self, request) -> list[dict]:
        from django.urls import reverse

        from core.visibility import capped_count

        from .models import IntelRecord, RequestForInformation
        from .vocabularies import RecordKind, RecordStatus

        user = request.user
        if not user.is_authenticated or not (user.state_id or user.has_perm("intel.view_intelrecord")):
            return []
        visible = IntelRecord.objects.visible_to(user)
        panels = []
        if user.state_id:
            unread = visible.from_other_states(user).with_unread(user).filter(is_read=False, status=RecordStatus.ACTIVE)
            panels.append(
                {
                    "title": _("Information exchange"),
                    "value": capped_count(unread, in_list_order=True),
                    "text": _("unread records shared with your state"),
                    "url": reverse("intel:inbox"),
                    "link_text": _("Open the inbox"),
                }
            )
        open_rfis = RequestForInformation.objects.filter(
            record__in=visible.filter(kind=RecordKind.RFI), status__in=RequestForInformation.OPEN_STATUSES
        )
        panels.append(
            {
                "title": _("Requests for information"),
                "value": capped_count(open_rfis),
                "text": _("open requests you can see"),
                "url": reverse("intel:record-list") + "?kind=rfi",
                "link_text": _("See requests"),
            }
        )
        return panels
