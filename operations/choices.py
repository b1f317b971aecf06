"""Controlled vocabularies of joint operations (markings, TLP and classification, come from intel.vocabularies)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OperationType(models.TextChoices):
    CONTROLLED_DELIVERY = "controlled_delivery", _("Controlled delivery")
    REGIONAL_OPERATION = "regional_operation", _("Regional operation")
    JOINT_INVESTIGATION = "joint_investigation", _("Joint investigation")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Proposed")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class ParticipantRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    PARTICIPANT = "participant", _("Participant")
    TRANSIT = "transit", _("Transit")
    OBSERVER = "observer", _("Observer")


class Consent(models.TextChoices):
    PENDING = "pending", _("Pending")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Substitution(models.TextChoices):
    INTACT = "intact", _("Intact (no substitution)")
    PARTIAL = "partial", _("Partial substitution")
    FULL = "full", _("Full substitution")
