"""Controlled vocabularies of joint operations (markings, TLP and classification, come from intel.vocabularies)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OperationType(models.TextChoices):
    CONTROLLED_DELIVERY = "controlled_delivery", _("Controlled delivery")
    REGIONAL_OPERATION = "regional_operation", _("Regional operation")
    JOINT_INVESTIGATION = "joint_investigation", _("Joint investigation")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("operation status", "Draft")
    PROPOSED = "proposed", pgettext_lazy("operation status", "Proposed")
    AWAITING_APPROVAL = "awaiting_approval", pgettext_lazy("operation status", "Awaiting approval")
    APPROVED = "approved", pgettext_lazy("operation status", "Approved")
    ACTIVE = "active", pgettext_lazy("operation status", "Active")
    SUSPENDED = "suspended", pgettext_lazy("operation status", "Suspended")
    COMPLETED = "completed", pgettext_lazy("operation status", "Completed")
    CLOSED = "closed", pgettext_lazy("operation status", "Closed")
    REJECTED = "rejected", pgettext_lazy("operation status", "Rejected")
    CANCELLED = "cancelled", pgettext_lazy("operation status", "Cancelled")


class ParticipantRole(models.TextChoices):
    LEAD = "lead", pgettext_lazy("participant role", "Lead")
    PARTICIPANT = "participant", pgettext_lazy("participant role", "Participant")
    TRANSIT = "transit", pgettext_lazy("participant role", "Transit")
    OBSERVER = "observer", pgettext_lazy("participant role", "Observer")


class Consent(models.TextChoices):
    PENDING = "pending", pgettext_lazy("consent", "Pending")
    GRANTED = "granted", pgettext_lazy("consent", "Granted")
    REFUSED = "refused", pgettext_lazy("consent", "Refused")
    WITHDRAWN = "withdrawn", pgettext_lazy("consent", "Withdrawn")


class Substitution(models.TextChoices):
    INTACT = "intact", _("Intact (no substitution)")
    PARTIAL = "partial", _("Partial substitution")
    FULL = "full", _("Full substitution")
