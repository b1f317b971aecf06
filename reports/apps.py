from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

REPORT_ROLES = ["Liaison officer", "Coordinator", "Analyst", "Donor relations"]


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    # add_reportrequest: may ask for reports (what is in them is still bounded by
    # visible_to). view_reportrequest: also sees every state's scheduled reports
    # (centre staff who see every record anyway); see ReportRequestQuerySet.visible_to.
    role_permissions = {
        "Liaison officer": ["reports.add_reportrequest"],
        "Partner system": ["reports.add_reportrequest"],
        "Coordinator": ["reports.add_reportrequest", "reports.view_reportrequest"],
        "Analyst": ["reports.add_reportrequest", "reports.view_reportrequest"],
        "Donor relations": ["reports.add_reportrequest"],
    }
    nav_items = [(_("Reports"), "reports:list", REPORT_ROLES)]

    def home_panels(self, request) -> list[dict]:
        from django.urls import reverse

        from core.visibility import capped_count

        from .choices import ReportStatus
        from .models import ReportRequest

        user = request.user
        if not user.is_authenticated or not user.has_perm("reports.add_reportrequest"):
            return []
        mine = ReportRequest.objects.visible_to(user).filter(requested_by=user)
        return [
            {
                "title": _("Reports"),
                "value": capped_count(mine.filter(status=ReportStatus.SUCCEEDED)),
                "text": _("of your reports are ready to download"),
                "url": reverse("reports:list"),
                "link_text": _("Request or download reports"),
            }
        ]
