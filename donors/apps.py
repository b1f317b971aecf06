from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Every model of the app; donor relations staff record them, the others read.
_MODELS = [
    "donor",
    "pledgingevent",
    "exchangerate",
    "pledge",
    "instalment",
    "payment",
    "agreement",
    "agreementattachment",
    "reportingobligation",
    "budgetline",
    "reminderlog",
]
_VIEW = [f"donors.view_{m}" for m in _MODELS]
_WRITE = [f"donors.{action}_{m}" for m in _MODELS if m != "reminderlog" for action in ("add", "change")]


class DonorsConfig(AppConfig):
    name = "donors"
    verbose_name = _("Donors and pledges")

    # Role-based, not per state: liaison officers and partner systems get nothing.
    role_permissions = {
        "Donor relations": [*_VIEW, *_WRITE, "donors.view_confidential_donor"],
        "Coordinator": _VIEW,
        "Administrator": _VIEW,
    }
    nav_group = _("Donors")
    nav_items = [
        (_("Donors"), "donors:donor-list", ["Donor relations", "Coordinator", "Administrator"]),
        (_("Funding"), "donors:dashboard", ["Donor relations", "Coordinator", "Administrator"]),
    ]

    def home_panels(self, request) -> list[dict]:
        """The year's coverage and what is overdue, for those who may see donor data."""
        from django.urls import reverse
        from django.utils import timezone

        from .dashboard import funding_coverage, overdue_count
        from .models import may_use_donors

        user = request.user
        if not may_use_donors(user):
            return []
        year = timezone.localdate().year
        # Bounded (docs/performance.md, issue 15, section 3): one aggregate over the
        # year's rows for the coverage, two counts of at most the cap for what is overdue.
        coverage = funding_coverage(user, year)
        overdue = overdue_count(user)
        return [
            {
                "title": _("Funding %(year)s") % {"year": year},
                "value": f"{coverage}%" if coverage is not None else "—",
                "text": _("of the year's budget is covered by committed and received money."),
                "url": reverse("donors:dashboard"),
                "link_text": _("Funding dashboard"),
            },
            {
                "title": _("Overdue"),
                "value": overdue,
                "text": _("instalments and reports past their due date."),
                "url": reverse("donors:overdue"),
                "link_text": _("Overdue list"),
            },
        ]
