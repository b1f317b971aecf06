from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    role_permissions = {
        "Coordinator": ["members.view_notice", "members.add_notice", "members.change_notice", "members.share_notice"],
        "Analyst": ["members.view_notice"],
        "Liaison officer": ["members.add_notice"],
        "Administrator": [
            "members.add_state",
            "members.change_state",
            "members.add_agency",
            "members.change_agency",
            "members.add_user",
            "members.change_user",
            "members.view_user",
            "members.view_apitoken",
            "members.change_apitoken",
        ],
    }
    nav_group = _("Directory")
    nav_items = [
        # (label, url name, required role or None for everyone signed in)
        (_("States"), "members:state-list", None),
        (_("Notices"), "members:notice-list", None),
    ]

    def home_panels(self, request) -> list[dict]:
        """Cards on the home page: recent notices for everyone signed in."""
        from django.urls import reverse

        from .models import Notice

        recent = Notice.objects.visible_to(request.user).order_by("-created_at", "-id")[:5]
        return [
            {
                "title": _("Latest notices"),
                "text": "; ".join(n.title for n in recent) or _("No notices."),
                "url": reverse("members:notice-list"),
                "link_text": _("All notices"),
            },
            {"title": _("State directory"), "url": reverse("members:state-list"), "link_text": _("Open")},
        ]

    def ready(self) -> None:
        from . import schema  # noqa: F401 - registers the token's OpenAPI extension
        from .authentication import connect_signals
        from .roles import sync_roles

        # A user change drops the cached answers of the user's API tokens.
        connect_signals()

        # After every migrate (and test database flush), align role groups.
        post_migrate.connect(sync_roles, dispatch_uid="members.sync_roles")
