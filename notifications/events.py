"""The events the portal tells people about: what each says and which e-mail group it belongs to.

Messages name the subject by its reference only; a title or text never goes into
a notification or an e-mail (a TLP:AMBER or RED record's reference is all a list
or a mailbox may hold).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EventGroup(models.TextChoices):
    """Groups of events a user sets one e-mail preference for."""

    EXCHANGE = "exchange", _("Records shared with my state")
    REQUESTS = "requests", _("Requests and decisions")
    OPERATIONS = "operations", _("Joint operations")
    DONORS = "donors", _("Instalments and donor reports")
    REPORTS = "reports", _("Reports")


class Event(models.TextChoices):
    RECORD_SHARED = "record_shared", _("Record shared with your state")
    RFI_RECEIVED = "rfi_received", _("Request for information addressed to your state")
    RFI_ANSWERED = "rfi_answered", _("Answer to your state's request")
    RFI_OVERDUE = "rfi_overdue", _("Overdue request for information")
    DISSEMINATION_REQUESTED = "dissemination_requested", _("Dissemination request to decide")
    REMARKING_REQUESTED = "remarking_requested", _("Re-marking request to decide")
    RECORD_REMARKED = "record_remarked", _("Record re-marked")
    RECORD_WITHDRAWN = "record_withdrawn", _("Record withdrawn from your state")
    RECORD_ARCHIVED = "record_archived", _("Record archived")
    REVIEW_DUE = "review_due", _("Record due for review")
    CONSENT_NEEDED = "consent_needed", _("Consent needed from your state")
    APPROVAL_NEEDED = "approval_needed", _("Operation awaiting approval")
    OPERATION_STATUS = "operation_status", _("Operation status changed")
    INSTALMENT_DUE = "instalment_due", _("Instalment due or overdue")
    OBLIGATION_DUE = "obligation_due", _("Reporting obligation due")
    REPORT_READY = "report_ready", _("Report ready")


@dataclass(frozen=True)
class EventSpec:
    group: str
    text: Any  # lazy, with %(reference)s and %(detail)s

    def message(self, notification) -> str:
        return str(self.text) % {"reference": notification.reference, "detail": detail_label(notification)}


EVENTS: dict[str, EventSpec] = {
    Event.RECORD_SHARED: EventSpec(EventGroup.EXCHANGE, _("Record %(reference)s was shared with your state.")),
    Event.RFI_RECEIVED: EventSpec(
        EventGroup.REQUESTS, _("Request for information %(reference)s is addressed to your state.")
    ),
    Event.RFI_ANSWERED: EventSpec(EventGroup.REQUESTS, _("Your state's request was answered: %(reference)s.")),
    Event.RFI_OVERDUE: EventSpec(
        EventGroup.REQUESTS, _("Request for information %(reference)s is overdue and still open.")
    ),
    Event.DISSEMINATION_REQUESTED: EventSpec(
        EventGroup.REQUESTS, _("A state asks to share record %(reference)s wider: your decision is needed.")
    ),
    Event.REMARKING_REQUESTED: EventSpec(
        EventGroup.REQUESTS,
        _("A change of the markings of record %(reference)s is requested: your decision is needed."),
    ),
    Event.RECORD_REMARKED: EventSpec(EventGroup.EXCHANGE, _("The markings of record %(reference)s were changed.")),
    Event.RECORD_WITHDRAWN: EventSpec(
        EventGroup.EXCHANGE, _("Record %(reference)s is no longer shared with your state.")
    ),
    Event.RECORD_ARCHIVED: EventSpec(EventGroup.EXCHANGE, _("Record %(reference)s was archived by its originator.")),
    Event.REVIEW_DUE: EventSpec(EventGroup.EXCHANGE, _("Record %(reference)s has reached its review date.")),
    Event.CONSENT_NEEDED: EventSpec(EventGroup.OPERATIONS, _("Operation %(reference)s needs your state's consent.")),
    Event.APPROVAL_NEEDED: EventSpec(EventGroup.OPERATIONS, _("Operation %(reference)s awaits approval.")),
    Event.OPERATION_STATUS: EventSpec(EventGroup.OPERATIONS, _("Operation %(reference)s is now %(detail)s.")),
    Event.INSTALMENT_DUE: EventSpec(EventGroup.DONORS, _("Instalment of pledge %(reference)s: %(detail)s.")),
    Event.OBLIGATION_DUE: EventSpec(
        EventGroup.DONORS, _("Reporting obligation under agreement %(reference)s: %(detail)s.")
    ),
    Event.REPORT_READY: EventSpec(EventGroup.REPORTS, _("Your report %(reference)s is ready.")),
}

# Events shown although the reader can no longer see the subject: they tell of
# the withdrawal itself, name the reference the reader already had, and link nowhere.
SUBJECT_FREE_EVENTS = (Event.RECORD_WITHDRAWN,)

# The models a notification may point at ("app_label.Model"); each offers visible_to(user).
SUBJECT_MODEL_NAMES = (
    "intel.IntelRecord",
    "operations.JointOperation",
    "donors.Instalment",
    "donors.ReportingObligation",
    "reports.ReportRequest",
)

DUE_LABELS = {
    "before": pgettext_lazy("reminder", "due soon"),
    "overdue": pgettext_lazy("reminder", "overdue"),
}


def subject_models() -> list[type[models.Model]]:
    return [apps.get_model(name) for name in SUBJECT_MODEL_NAMES]


def detail_label(notification) -> str:
    """The detail code in words: an operation status, or "due soon"/"overdue"."""
    code = notification.detail
    if not code:
        return ""
    if notification.event == Event.OPERATION_STATUS:
        from operations.choices import Status

        return str(Status(code).label) if code in Status.values else code
    return str(DUE_LABELS.get(code, code))
