"""Joint operations: proposal, per-state consent, approval, lifecycle log, results.

A JointOperation is shared with the states taking part in it through the
permission core (members.sharing): every participating state's group holds
`view_jointoperation` on the row, and the lead state's group also holds
`change_jointoperation`. Those grants follow the participation rows, always in
the same transaction (`JointOperation.sync_grants`). The centre's coordinators
and analysts see every operation through the model-level view permission.

Status changes never happen by assigning `status` by hand: they go through the
transition table in `operations.workflow`, which logs each one.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase
from simple_history.models import HistoricalRecords

from core.models import ReferenceSequence
from core.sharing import ShareableModel, ShareableQuerySet
from core.visibility import VisibleQuerySet
from intel.vocabularies import TLP, Classification, RecordKind, Substance, Unit, kg_equivalent
from members.models import State

from .choices import Consent, OperationType, ParticipantRole, Status, Substitution

# Statuses in which the operation is still being agreed: its content may change
# (and a material change lifts the consents already given).
NEGOTIATION_STATUSES = (Status.DRAFT, Status.PROPOSED, Status.AWAITING_APPROVAL)
# Statuses in which nothing changes any more.
TERMINAL_STATUSES = (Status.CLOSED, Status.REJECTED, Status.CANCELLED)
# Shown on the timeline of planned and running operations.
PLANNED_OR_RUNNING_STATUSES = (
    Status.PROPOSED,
    Status.AWAITING_APPROVAL,
    Status.APPROVED,
    Status.ACTIVE,
    Status.SUSPENDED,
)


class JointOperationQuerySet(ShareableQuerySet):
    """Visibility (inherited) and the list filters."""

    def with_state(self, state: State | int) -> JointOperationQuerySet:
        """Operations in which the state takes part (any role)."""
        state_id = state.pk if isinstance(state, State) else state
        return self.filter(Exists(Participation.objects.filter(operation=OuterRef("pk"), state_id=state_id)))

    def in_year(self, year: int) -> JointOperationQuerySet:
        """Operations planned to start in the given year (a range, so the index serves it)."""
        return self.filter(planned_start__gte=f"{year}-01-01", planned_start__lt=f"{year + 1}-01-01")

    def not_archived(self) -> JointOperationQuerySet:
        return self.filter(archived_at__isnull=True)

    def with_detail(self) -> JointOperationQuerySet:
        """What the operation page and the API detail show, in a constant number of queries."""
        return self.select_related("lead_state", "created_by", "result", "controlled_delivery").prefetch_related(
            "transitions__by",
            "consent_events__state",
            "consent_events__by",
            "controlled_delivery__legs__from_state",
            "controlled_delivery__legs__to_state",
            "seizures__state",
        )


class JointOperation(ShareableModel):
    """An agreed joint international operation against drug trafficking.

    A lead state's liaison officer drafts and proposes it, every non-observer
    participating state consents to its current `version`, a coordinator of the
    centre approves it; it then runs, is completed with results and closed.
    """

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    code_name = models.CharField(_("code name"), max_length=100)
    operation_type = models.CharField(_("type"), max_length=30, choices=OperationType.choices)
    objective = models.TextField(_("objective"))
    lead_state = models.ForeignKey(
        State, on_delete=models.PROTECT, related_name="led_operations", verbose_name=_("lead state")
    )
    classification = models.CharField(
        _("classification"), max_length=20, choices=Classification.choices, default=Classification.RESTRICTED
    )
    tlp = models.CharField(_("TLP"), max_length=20, choices=TLP.choices, default=TLP.AMBER)
    area_description = models.TextField(_("area or route"), blank=True)
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False)
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Raised by every material change; states consent to a version."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="created_operations",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True, editable=False)

    objects = JointOperationQuerySet.as_manager()
    history = HistoricalRecords()

    # Fields whose change makes the consents already given void.
    MATERIAL_FIELDS = ("operation_type", "objective", "planned_start", "planned_end")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("joint operation")
        verbose_name_plural = _("joint operations")
        permissions = [
            ("approve_jointoperation", _("Can approve, reject, return and close joint operations")),
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="operations_created_idx"),
            models.Index(fields=["status", "-created_at"], name="operations_status_idx"),
            models.Index(fields=["operation_type", "-created_at"], name="operations_type_idx"),
            models.Index(fields=["planned_start"], name="operations_planned_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__gte=models.F("planned_start")),
                name="operations_planned_end_after_start",
                violation_error_message=_("The planned end cannot come before the planned start."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.code_name}".strip()

    def get_absolute_url(self) -> str:
        return reverse("operations:operation-detail", args=[self.pk])

    def save(self, *args, **kwargs) -> None:
        """Save; a new operation gets the next reference of its lead state and year, JO-<state>-<year>-<n>."""
        if not self.reference:
            # One series per lead state (JO-KZ-2026-00007), issued without a shared lock.
            self.reference = ReferenceSequence.next_reference(
                f"JO-{self.lead_state.code}",
                timezone.localtime(self.created_at).year,
                5,
                taken=JointOperation.objects.all(),
            )
        super().save(*args, **kwargs)

    # --- participants and grants -------------------------------------------------

    def set_participants(self, others: dict[int, str]) -> bool:
        """Make the participations match: the lead state plus `others` (state id -> role).

        Keeps the rows (and their consents) of states that stay with the same role;
        returns True if anything changed. Grants follow in the same transaction.
        """
        others = {sid: role for sid, role in others.items() if sid != self.lead_state_id}
        wanted = {self.lead_state_id: ParticipantRole.LEAD, **others}
        changed = False
        with transaction.atomic():
            current = {p.state_id: p for p in self.participations.all()}
            for state_id, participation in current.items():
                if state_id not in wanted:
                    participation.delete()
                    changed = True
                elif participation.role != wanted[state_id]:
                    participation.role = wanted[state_id]
                    participation.save(update_fields=["role"])
                    changed = True
            for state_id, role in wanted.items():
                if state_id not in current:
                    Participation.objects.create(operation=self, state_id=state_id, role=role)
                    changed = True
            self.sync_grants()
        return changed

    def sync_grants(self) -> None:
        """Participating states see the operation; the lead state may also change it."""
        states = list(State.objects.filter(participations__operation=self))
        with transaction.atomic():
            self.set_shared_states(states, ("view",))
            self.set_shared_states([s for s in states if s.pk == self.lead_state_id], ("change",))

    def reset_consents(self) -> int:
        """Put every consent back to pending (a new version awaits agreement)."""
        return self.participations.exclude(consent=Consent.PENDING).update(
            consent=Consent.PENDING, consent_by=None, consent_at=None, consent_conditions="", consent_version=None
        )

    def consenting_participations(self):
        """Participations whose consent is required (observers do not consent)."""
        return self.participations.exclude(role=ParticipantRole.OBSERVER)

    def all_consents_granted(self) -> bool:
        """True when every non-observer participant consented to the current version."""
        required = self.consenting_participations()
        return (
            required.exists() and not required.exclude(consent=Consent.GRANTED, consent_version=self.version).exists()
        )

    @property
    def has_results(self) -> bool:
        return OperationResult.objects.filter(operation=self).exists()

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES


class JointOperationGroupObjectPermission(GroupObjectPermissionBase):
    """Direct-FK grants on joint operations (guardian); one row per group and permission."""

    content_object = models.ForeignKey(JointOperation, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False
        verbose_name = _("joint operation grant")
        verbose_name_plural = _("joint operation grants")


class Participation(models.Model):
    """One state's part in an operation: its role, case reference, officer and consent."""

    operation = models.ForeignKey(
        JointOperation, on_delete=models.CASCADE, related_name="participations", verbose_name=_("operation")
    )
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="participations", verbose_name=_("state"))
    role = models.CharField(
        _("role"), max_length=20, choices=ParticipantRole.choices, default=ParticipantRole.PARTICIPANT
    )
    national_case_reference = models.CharField(_("national case reference"), max_length=100, blank=True)
    liaison_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="operation_participations",
        verbose_name=_("liaison officer"),
    )
    consent = models.CharField(_("consent"), max_length=20, choices=Consent.choices, default=Consent.PENDING)
    consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="operation_consents",
        verbose_name=_("consent given by"),
    )
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    consent_conditions = models.TextField(_("conditions"), blank=True)
    consent_version = models.PositiveIntegerField(_("version consented to"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["operation", "role", "state__name_en"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(fields=["operation", "state"], name="operations_participation_unique_state"),
            models.UniqueConstraint(
                fields=["operation"], condition=Q(role="lead"), name="operations_participation_one_lead"
            ),
        ]
        indexes = [models.Index(fields=["state", "operation"], name="operations_part_state_idx")]

    def __str__(self) -> str:
        return f"{self.operation_id}: {self.state_id} ({self.role})"

    @property
    def must_consent(self) -> bool:
        return self.role != ParticipantRole.OBSERVER


class TransitionLog(models.Model):
    """One status change of an operation: who, from, to, when and why."""

    operation = models.ForeignKey(
        JointOperation, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("operation")
    )
    transition = models.CharField(_("transition"), max_length=30)
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="operation_transitions",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")
        indexes = [models.Index(fields=["operation", "at"], name="operations_transition_op_idx")]

    def __str__(self) -> str:
        return f"{self.operation_id}: {self.from_status} -> {self.to_status}"


class ConsentLog(models.Model):
    """One consent decision of a state on a version of an operation (shown on the timeline)."""

    operation = models.ForeignKey(
        JointOperation, on_delete=models.CASCADE, related_name="consent_events", verbose_name=_("operation")
    )
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="+", verbose_name=_("state"))
    decision = models.CharField(_("decision"), max_length=20, choices=Consent.choices)
    version = models.PositiveIntegerField(_("version"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    conditions = models.TextField(_("conditions"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("consent decision")
        verbose_name_plural = _("consent decisions")
        indexes = [models.Index(fields=["operation", "at"], name="operations_consent_op_idx")]

    def __str__(self) -> str:
        return f"{self.operation_id}: {self.state_id} {self.decision}"


class ControlledDelivery(models.Model):
    """What travels in a controlled delivery, whether it was substituted, and how it is tracked."""

    operation = models.OneToOneField(
        JointOperation, on_delete=models.CASCADE, related_name="controlled_delivery", verbose_name=_("operation")
    )
    consignment_description = models.TextField(_("consignment"))
    substitution = models.CharField(
        _("substitution"), max_length=10, choices=Substitution.choices, default=Substitution.INTACT
    )
    tracker_identifiers = models.TextField(_("tracker identifiers"), blank=True, help_text=_("One per line."))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("controlled delivery")
        verbose_name_plural = _("controlled deliveries")

    def __str__(self) -> str:
        return f"{self.operation_id}: {self.consignment_description[:40]}"

    @property
    def trackers(self) -> list[str]:
        return [line.strip() for line in self.tracker_identifiers.splitlines() if line.strip()]


class RouteLeg(models.Model):
    """One leg of a controlled delivery's route, in order."""

    delivery = models.ForeignKey(ControlledDelivery, on_delete=models.CASCADE, related_name="legs")
    order = models.PositiveSmallIntegerField(_("order"))
    from_state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="+", verbose_name=_("from state"))
    to_state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="+", verbose_name=_("to state"))
    handover_point = models.CharField(_("handover point"), max_length=200, blank=True)
    planned_time = models.DateTimeField(_("planned time"), null=True, blank=True)
    actual_time = models.DateTimeField(_("actual time"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["delivery", "order"]
        verbose_name = _("route leg")
        verbose_name_plural = _("route legs")
        constraints = [
            models.UniqueConstraint(fields=["delivery", "order"], name="operations_routeleg_unique_order"),
        ]

    def __str__(self) -> str:
        return f"{self.order}: {self.from_state_id} -> {self.to_state_id}"


class OperationResult(models.Model):
    """The counted results of an operation (seizures are separate rows)."""

    operation = models.OneToOneField(
        JointOperation, on_delete=models.CASCADE, related_name="result", verbose_name=_("operation")
    )
    arrests = models.PositiveIntegerField(_("arrests"), default=0)
    groups_dismantled = models.PositiveIntegerField(_("groups dismantled"), default=0)
    cash_seized = models.DecimalField(
        _("cash seized"), max_digits=14, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    cash_currency = models.CharField(_("currency"), max_length=3, default="USD")
    firearms_seized = models.PositiveIntegerField(_("firearms seized"), default=0)
    vehicles_seized = models.PositiveIntegerField(_("vehicles seized"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("operation result")
        verbose_name_plural = _("operation results")

    def __str__(self) -> str:
        return f"{self.operation_id}: results"


class ResultSeizureQuerySet(VisibleQuerySet):
    def visible_for_user(self, user, action: str) -> ResultSeizureQuerySet:
        """Seizures of the operations the user may see: the operation decides."""
        return self.filter(operation__in=JointOperation.objects.visible_to(user, action).values("pk"))


class ResultSeizure(models.Model):
    """A seizure made in an operation, in the shared substance vocabulary."""

    operation = models.ForeignKey(
        JointOperation, on_delete=models.CASCADE, related_name="seizures", verbose_name=_("operation")
    )
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="+", verbose_name=_("seizing state"))
    seized_on = models.DateField(_("seized on"))
    substance = models.CharField(_("substance"), max_length=30, choices=Substance.choices)
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    kg_equivalent = models.DecimalField(
        _("kg equivalent"), max_digits=14, decimal_places=3, null=True, blank=True, editable=False
    )
    description = models.CharField(_("description"), max_length=255, blank=True)
    intel_record = models.ForeignKey(
        "intel.IntelRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="operation_seizures",
        limit_choices_to={"kind": RecordKind.SEIZURE},
        verbose_name=_("intel seizure record"),
        help_text=_("The seizure report exchanged about this seizure, if any."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = ResultSeizureQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["seized_on", "id"]
        verbose_name = _("seizure")
        verbose_name_plural = _("seizures")
        indexes = [
            models.Index(fields=["seized_on", "substance"], name="operations_seizure_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} {self.unit} {self.substance}"

    def save(self, *args, **kwargs) -> None:
        # Always derived, so totals in kg never disagree with quantity and unit.
        self.kg_equivalent = kg_equivalent(self.quantity, self.unit)
        super().save(*args, **kwargs)
