""" "Waiting for me" on the home page: what the user or their state must act on, per role.

Every count is bounded (at most CAP + 1 rows are counted, shown as "more than CAP")
and reads through `visible_to(user)`; each is one query on indexed columns.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from members.roles import Role, is_state_officer

CAP = 99


def _bounded(qs) -> tuple[int, str]:
    n = qs.order_by()[: CAP + 1].count()
    return n, (_("more than %(n)s") % {"n": CAP}) if n > CAP else str(n)


def _panel(title, qs, text, url, link_text) -> dict | None:
    n, label = _bounded(qs)
    if not n:
        return None
    return {"title": title, "value": label, "text": text, "url": url, "link_text": link_text, "waiting": True}


def waiting_panels(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    panels: list[dict | None] = []
    officer = is_state_officer(user, user.state_id)
    coordinator = user.has_role(Role.COORDINATOR)
    if officer:
        panels += _state_panels(user)
    if coordinator:
        panels += _coordinator_panels(user)
    if user.has_role(Role.DONOR_RELATIONS):
        from donors.choices import InstalmentStatus
        from donors.models import Instalment

        panels.append(
            _panel(
                _("Overdue instalments"),
                Instalment.objects.visible_to(user).filter(status=InstalmentStatus.OVERDUE),
                _("instalments past their due date"),
                reverse("donors:pledge-list"),
                _("Open the donors dashboard"),
            )
        )
    panels.append(_reports_panel(user))
    return [p for p in panels if p]


def _state_panels(user) -> list[dict | None]:
    from django.utils import timezone
    from django.utils.formats import date_format

    from intel.models import DisseminationRequest, IntelRecord, RequestForInformation
    from operations.choices import Consent, ParticipantRole, Status
    from operations.models import Participation

    visible = IntelRecord.objects.visible_to(user)
    rfis = RequestForInformation.objects.filter(
        addressees=user.state_id, status__in=RequestForInformation.OPEN_STATUSES, record__in=visible
    )
    panel = _panel(
        _("Requests to answer"),
        rfis,
        _("open requests for information addressed to your state"),
        reverse("intel:record-list") + "?kind=rfi",
        _("See requests"),
    )
    if panel:
        first = rfis.order_by("deadline").values_list("deadline", flat=True).first()
        if first:
            panel["text"] = _("open requests addressed to your state; the next deadline is %(date)s") % {
                "date": date_format(timezone.localtime(first), "SHORT_DATETIME_FORMAT")
            }
    consents = Participation.objects.filter(
        state_id=user.state_id,
        consent=Consent.PENDING,
        operation__status__in=[Status.PROPOSED, Status.AWAITING_APPROVAL],
    ).exclude(role__in=[ParticipantRole.LEAD, ParticipantRole.OBSERVER])
    decisions = DisseminationRequest.objects.filter(
        status=DisseminationRequest.Status.PENDING, record__originating_state_id=user.state_id
    )
    return [
        panel,
        _panel(
            _("Consents your state owes"),
            consents,
            _("proposed joint operations waiting for your state's consent"),
            reverse("operations:operation-list"),
            _("See operations"),
        ),
        _panel(
            _("Dissemination decisions"),
            decisions,
            _("requests to share your state's records wider"),
            reverse("notifications:list"),
            _("See notifications"),
        ),
        _remarking_panel(user, {"record__originating_state_id": user.state_id}),
    ]


def _remarking_panel(user, scope: dict) -> dict | None:
    try:
        from intel.models import RemarkingRequest
    except ImportError:
        return None
    return _panel(
        _("Re-marking decisions"),
        RemarkingRequest.objects.filter(status="pending", **scope),
        _("requests to change the markings of records you originate"),
        reverse("notifications:list"),
        _("See notifications"),
    )


def _coordinator_panels(user) -> list[dict | None]:
    from intel.models import DisseminationRequest
    from operations.choices import Status
    from operations.models import JointOperation

    return [
        _panel(
            _("Approvals"),
            JointOperation.objects.visible_to(user).filter(status=Status.AWAITING_APPROVAL),
            _("joint operations awaiting your approval"),
            reverse("operations:operation-list"),
            _("See operations"),
        ),
        _panel(
            _("Decisions on the centre's products"),
            DisseminationRequest.objects.filter(
                status=DisseminationRequest.Status.PENDING, record__originating_state__isnull=True
            ),
            _("requests to share the centre's products wider"),
            reverse("intel:centre-products"),
            _("See the centre's products"),
        ),
        _remarking_panel(user, {"record__originating_state__isnull": True}),
    ]


def _reports_panel(user) -> dict | None:
    from .events import Event
    from .models import Notification

    return _panel(
        _("Reports to read"),
        Notification.objects.readable_by(user).unread().filter(event=Event.REPORT_READY),
        _("finished reports you have not opened yet"),
        reverse("notifications:list"),
        _("See notifications"),
    )
