"""Information exchange: shared records, seizure reports, requests for information,
linked identifiers, attachments and the read audit.

An `IntelRecord` is shared with states through the permission core
(`members.sharing`): the originating state's group holds view, change and share
grants on it, every recipient state's group holds a view grant, and the centre's
roles hold the model-level `view_intelrecord`. `IntelRecord.objects.visible_to(user)`
is the only way to read records.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase
from simple_history.models import HistoricalRecords

from core.models import ReferenceSequence
from core.sharing import RecipientRowBase, ShareableModel, ShareableQuerySet, sync_recipient_copies
from core.storage import private_storage
from core.validators import validate_country_code, validate_country_codes, validate_not_future
from members.models import Agency, State

from .vocabularies import (
    TLP,
    Classification,
    ConcealmentMethod,
    Credibility,
    HandlingCode,
    IdentifierKind,
    PlaceType,
    RecordKind,
    RecordStatus,
    Reliability,
    RFIStatus,
    Substance,
    SubstanceForm,
    TransportMode,
    Unit,
    Urgency,
    handling_notice,
    kg_equivalent,
)


class IntelRecordQuerySet(ShareableQuerySet):
    """Records: visibility (inherited), unread markers and search."""

    def with_unread(self, user) -> IntelRecordQuerySet:
        """Annotate `is_read`: whether this user has opened the record's page (or marked it read)."""
        return self.annotate(
            is_read=Exists(
                AccessLog.objects.filter(record=OuterRef("pk"), user_id=user.pk, action__in=AccessLog.READ_ACTIONS)
            )
        )

    def from_other_states(self, user) -> IntelRecordQuerySet:
        """The inbox: records of states other than the user's (all of them for centre staff)."""
        if not user.state_id:
            return self
        # Through the recipient table, the received rows come from their own partial index.
        return self.not_owned_by_recipient().exclude(originating_state_id=user.state_id)

    def search(self, text: str) -> IntelRecordQuerySet:
        """Full-text search over title, summary, body and identifiers.

        PostgreSQL: the stored `search_vector` (GIN-indexed) against a web-style
        query. Elsewhere (SQLite in the embedded default): a plain icontains.
        """
        text = (text or "").strip()
        if not text:
            return self
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery

            return self.filter(search_vector=SearchQuery(text, config="simple", search_type="websearch"))
        norm = normalise_identifier(text)
        matches_identifier = (
            Identifier.objects.filter(record=OuterRef("pk"), normalised__contains=norm) if norm else None
        )
        cond = models.Q(title__icontains=text) | models.Q(summary__icontains=text) | models.Q(body__icontains=text)
        if matches_identifier is not None:
            cond |= Exists(matches_identifier)
        return self.filter(cond)


class IntelRecord(ShareableModel):
    """A piece of information exchanged through the centre, with its markings.

    Every record carries TLP, a handling code, a classification and an
    Admiralty evaluation; they are shown on every view and export. Records are
    archived (status), never deleted.
    """

    reference = models.CharField(_("reference"), max_length=32, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=RecordKind.choices, db_index=True)
    title = models.CharField(_("title"), max_length=250)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("text"), blank=True)
    # Empty for the centre's own products (analytical reports, alerts, bulletins),
    # whose originator is the centre: its coordinators and analysts.
    originating_state = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="intel_records",
        verbose_name=_("originating state"),
        help_text=_("Empty for a product of the centre itself."),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="intel_records", verbose_name=_("agency")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="intel_records", verbose_name=_("author")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    review_date = models.DateField(_("review date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RecordStatus.choices, default=RecordStatus.ACTIVE, db_index=True
    )
    tlp = models.CharField(_("TLP"), max_length=12, choices=TLP.choices, db_index=True)
    handling_code = models.CharField(_("handling code"), max_length=2, choices=HandlingCode.choices)
    handling_note = models.CharField(
        _("handling restrictions"), max_length=500, blank=True, help_text=_("Required with handling code H3.")
    )
    classification = models.CharField(_("classification"), max_length=12, choices=Classification.choices)
    source_reliability = models.CharField(_("source reliability"), max_length=1, choices=Reliability.choices)
    information_credibility = models.CharField(_("information credibility"), max_length=1, choices=Credibility.choices)
    in_reply_to = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to"),
        help_text=_("For a response: the request for information it answers."),
    )
    # Filled on PostgreSQL only (see refresh_search_vector); a GIN index is
    # created by migration 0002 on PostgreSQL only.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = IntelRecordQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_vector", "updated_at"])
    owner_state_field = "originating_state"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("intelligence record")
        verbose_name_plural = _("intelligence records")
        permissions = [
            ("share_intelrecord", _("Can change who a record is shared with")),
            ("view_accesslog_intelrecord", _("Can see who viewed any record")),
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="intel_record_created_idx"),
            models.Index(fields=["originating_state", "-created_at", "-id"], name="intel_record_state_idx"),
            models.Index(fields=["kind", "-created_at", "-id"], name="intel_record_kind_idx"),
            # A centre role's status= filter (a state's reads the recipient rows' copy).
            models.Index(fields=["status", "-created_at", "-id"], name="intel_record_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(handling_code="H3") | ~models.Q(handling_note=""),
                name="intel_record_h3_needs_note",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("intel:record-detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.handling_code == HandlingCode.H3 and not (self.handling_note or "").strip():
            raise ValidationError({"handling_note": _("Handling code H3 requires a description of the restrictions.")})
        if self.agency_id and self.originating_state_id and self.agency.state_id != self.originating_state_id:
            raise ValidationError({"agency": _("The agency must belong to the originating state.")})

    def save(self, *args, **kwargs) -> None:
        if not self.reference:
            # One series per originating state (CARICC-KZ-2026-000183): no state waits on
            # another's numbering, and no reference reveals the centre's whole volume.
            self.reference = ReferenceSequence.next_reference(
                # The centre's own products (no originating state): the plain CARICC series.
                f"CARICC-{self.originating_state.code}" if self.originating_state_id else "CARICC",
                timezone.localtime(self.created_at).year,
                6,
                taken=IntelRecord.objects.all(),
            )
        super().save(*args, **kwargs)

    @property
    def originator_is_centre(self) -> bool:
        """A product of the centre itself (no originating state)."""
        return self.originating_state_id is None

    @property
    def originator_code(self) -> str:
        """The originating state's code, or CARICC for the centre's products."""
        return self.originating_state.code if self.originating_state_id else "CARICC"

    @property
    def evaluation_code(self) -> str:
        """The Admiralty code, e.g. "B2"."""
        return f"{self.source_reliability}{self.information_credibility}"

    @property
    def handling_notice(self) -> str:
        """The caveat of the handling code (H1: not for use as evidence...), shown on every copy."""
        return handling_notice(self.handling_code, self.handling_note)

    def grant_originator(self) -> None:
        """The originating state's group: view, change and share on its own record.

        The centre's products have no originating state: the centre's roles hold the
        model-level permissions instead."""
        if self.originating_state_id:
            self.share_with([self.originating_state], ("view", "change", "share"))

    def set_recipients(self, states) -> None:
        """Make exactly `states` (plus the originator) the recipients (view grants)."""
        wanted = {s.pk for s in states} | {self.originating_state_id}
        with transaction.atomic():
            self.set_shared_states(State.objects.filter(pk__in=wanted), ("view",))
            self.grant_originator()

    def refresh_search_vector(self) -> None:
        """Recompute the stored tsvector (PostgreSQL), including identifier values."""
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(SEARCH_VECTOR_UPDATE_SQL + " WHERE r.id = %s", [self.pk])


# The weighted tsvector of a record: title A, summary B, identifiers B, body C.
# Shared by refresh_search_vector and the benchmark's set-based seeding.
SEARCH_VECTOR_UPDATE_SQL = """
UPDATE intel_intelrecord AS r SET search_vector =
    setweight(to_tsvector('simple', coalesce(r.title, '')), 'A') ||
    setweight(to_tsvector('simple', coalesce(r.summary, '')), 'B') ||
    setweight(to_tsvector('simple', coalesce((
        SELECT string_agg(i.value || ' ' || i.normalised, ' ') FROM intel_identifier i WHERE i.record_id = r.id
    ), '')), 'B') ||
    setweight(to_tsvector('simple', coalesce(r.body, '')), 'C')
"""


class IntelRecordGroupObjectPermission(GroupObjectPermissionBase):
    """Direct-FK grants on records (guardian): one row per state group and permission."""

    content_object = models.ForeignKey(IntelRecord, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False
        verbose_name = _("record grant")
        verbose_name_plural = _("record grants")
        # The list query probes "does one of these groups hold view on this
        # record?" once per candidate row. Keyed by record first, this index
        # answers it from the index alone (no heap visit per grant row); guardian's
        # unique index leads with the group and cannot serve that probe.
        indexes = [
            models.Index(fields=["content_object", "permission", "group"], name="intel_grant_probe_idx"),
        ]


class IntelRecordRecipient(RecipientRowBase):
    """The ordered list of records each state group may view (core.sharing keeps it
    exact in grant/revoke): the inbox and every records list are read from its
    indexes, so a first page costs the same however few or many records a state sees."""

    content_object = models.ForeignKey(IntelRecord, on_delete=models.CASCADE, related_name="recipient_rows")
    # The record's status, copied (grant() sets it, `sync_recipient_copies` in the
    # post_save receiver below keeps it): a state's `status=archived` walks
    # (group, status, created_at) instead of every row the state may see.
    status = models.CharField(max_length=10, choices=RecordStatus.choices, default=RecordStatus.ACTIVE)
    # The record's updated_at, copied the same way (it changes on every full save, so the
    # receiver's UPDATE runs on every such save): a state's `?updated_since=` is a range
    # on (group, updated_at, record), or a filter on the rows it walks in created_at
    # order, without probing the record per row (400 ms -> 0.2-1.5 ms, docs/performance.md).
    updated_at = models.DateTimeField()

    copied_fields = ("status", "updated_at")

    class Meta:
        verbose_name = _("record recipient")
        verbose_name_plural = _("record recipients")
        constraints = [
            models.UniqueConstraint(fields=["group", "content_object"], name="intel_recipient_unique"),
        ]
        indexes = [
            models.Index(fields=["group", "created_at", "content_object"], name="intel_recipient_order_idx"),
            models.Index(
                fields=["group", "created_at", "content_object"],
                condition=models.Q(own=False),
                name="intel_recipient_inbox_idx",
            ),
            models.Index(
                fields=["group", "owner_state", "created_at", "content_object"], name="intel_recipient_owner_idx"
            ),
            models.Index(fields=["group", "status", "created_at", "content_object"], name="intel_recipient_status_idx"),
            models.Index(fields=["group", "updated_at", "content_object"], name="intel_recipient_updated_idx"),
        ]

    @classmethod
    def rows_added(cls, object_ids, group_ids: list[int]) -> None:
        """The new recipients' substance rows (RecipientSubstance), from the records' substances."""
        RecipientSubstance.add(object_ids, group_ids)

    @classmethod
    def rows_removed(cls, object_ids, groups) -> None:
        """The revoked recipients' substance rows go with their recipient rows."""
        RecipientSubstance.objects.filter(record_id__in=object_ids, group__in=groups).delete()


@receiver(post_save, sender=IntelRecord, dispatch_uid="intel.sync_recipient_status")
def _sync_recipient_status(sender, instance, created, update_fields=None, raw=False, **kwargs) -> None:
    """Every save that may change a record's status or updated_at (a full save, which
    stamps updated_at, or one naming either: archiving, the originator's edit, the admin,
    a history revert) copies them into the record's recipient rows in the same
    transaction: one UPDATE of the rows that differ. A new record has no recipient rows
    yet (grant() copies both then). Writes that bypass save() (`QuerySet.update(status=...)`
    or of visible content, which should stamp updated_at too) must call
    sync_recipient_copies themselves; tests/intel/test_filter_indexes.py and
    tests/intel/test_updated_since_copies.py fail on any in the code."""
    if created or raw or (update_fields is not None and not {"status", "updated_at"} & set(update_fields)):
        return
    sync_recipient_copies(instance)


def _insert_select(table: type[models.Model], columns: list[str], select: models.QuerySet) -> None:
    """INSERT INTO table (columns) <select> ON CONFLICT DO NOTHING: one set-based statement."""
    sql, params = select.query.sql_with_params()
    names = ", ".join(connection.ops.quote_name(table._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(table._meta.db_table)} ({names}) {sql} ON CONFLICT DO NOTHING",
            params,
        )


class RecordSubstance(models.Model):
    """One row per record and substance among its seizure items, with the record's
    `created_at`: a centre role's `substance=` filter reads (substance, created_at,
    record) in order, whatever the number of matching items. Kept exact by
    `sync_substances`, which every writer of seizure items calls in its transaction."""

    record = models.ForeignKey(IntelRecord, on_delete=models.CASCADE, related_name="substance_rows")
    substance = models.CharField(max_length=25, choices=Substance.choices)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("record substance")
        verbose_name_plural = _("record substances")
        constraints = [models.UniqueConstraint(fields=["record", "substance"], name="intel_substance_unique")]
        indexes = [
            models.Index(fields=["substance", "created_at", "record"], name="intel_substance_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.record_id}: {self.substance}"


class RecipientSubstance(models.Model):
    """One row per recipient row (state group, record) and substance of the record: a
    state's `substance=` filter reads (group, substance, created_at, record) in order,
    the same cost whether the state sees none or all of the matching records. Kept
    exact by `sync_substances` (items) and by the recipient table's grant/revoke hooks."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="+", db_index=False)
    record = models.ForeignKey(IntelRecord, on_delete=models.CASCADE, related_name="recipient_substance_rows")
    substance = models.CharField(max_length=25, choices=Substance.choices)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("record recipient substance")
        verbose_name_plural = _("record recipient substances")
        constraints = [
            models.UniqueConstraint(fields=["group", "record", "substance"], name="intel_recipient_substance_unique")
        ]
        indexes = [
            models.Index(fields=["group", "substance", "created_at", "record"], name="intel_recipient_substance_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.group_id} {self.record_id}: {self.substance}"

    @classmethod
    def add(cls, record_ids, group_ids=None) -> None:
        """Rows for the records' substances and their recipient groups (these groups only if
        given), from RecordSubstance joined to the recipient rows: one INSERT ... SELECT."""
        # One filter() call: the conditions on the recipient rows apply to one join of them.
        on_recipients = {"record__recipient_rows__isnull": False}
        if group_ids is not None:
            on_recipients = {"record__recipient_rows__group_id__in": group_ids}
        rows = RecordSubstance.objects.filter(record_id__in=record_ids, **on_recipients)
        select = rows.order_by().values_list("record__recipient_rows__group_id", "record_id", "substance", "created_at")
        _insert_select(cls, ["group", "record", "substance", "created_at"], select)


def sync_substances(record_ids) -> None:
    """Rebuild the substance rows (RecordSubstance, RecipientSubstance) of these records
    from their seizure items, set-based (two DELETEs, two INSERT ... SELECTs). Every
    writer of seizure items calls it in its transaction after the items are written:
    intel.services.create_seizure, the bench seeders."""
    record_ids = list(record_ids)
    if not record_ids:
        return
    RecipientSubstance.objects.filter(record_id__in=record_ids).delete()
    RecordSubstance.objects.filter(record_id__in=record_ids).delete()
    items = (
        SeizureItem.objects.filter(seizure__record_id__in=record_ids)
        .order_by()
        .values_list("seizure__record_id", "substance", "seizure__record__created_at")
        .distinct()
    )
    _insert_select(RecordSubstance, ["record", "substance", "created_at"], items)
    RecipientSubstance.add(record_ids)


class Receipt(models.Model):
    """A recipient state's receipt of a record: first opened by one of its users, then
    (optionally) acknowledged explicitly. One row per record and state."""

    record = models.ForeignKey(IntelRecord, on_delete=models.CASCADE, related_name="receipts", verbose_name=_("record"))
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="+", verbose_name=_("state"))
    opened_at = models.DateTimeField(_("first opened at"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("first opened by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )

    class Meta:
        ordering = ["record", "state"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        constraints = [models.UniqueConstraint(fields=["record", "state"], name="intel_receipt_record_state_unique")]

    def __str__(self) -> str:
        return f"{self.record_id} {self.state_id}"

    @classmethod
    def record_opened(cls, record: IntelRecord, user) -> None:
        """The first opening by a user of a recipient state: one INSERT ... ON CONFLICT DO NOTHING."""
        from members.roles import is_state_officer

        state_id = getattr(user, "state_id", None)
        if not state_id or state_id == record.originating_state_id or not is_state_officer(user, state_id):
            return  # only a recipient state's officer's opening counts (not a partner system's pull)
        cls.objects.bulk_create(
            [cls(record=record, state_id=state_id, opened_at=timezone.now(), opened_by=user)], ignore_conflicts=True
        )


class RecordRequestBase(models.Model):
    """What every request to a record's originator has (dissemination, re-marking): who
    asked, for which state, why, and who decided when. Only the originator decides
    (intel.handling)."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requesting_state = models.ForeignKey(
        State, on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name=_("requesting state")
    )
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.record.reference}: {self.get_status_display()}"


class DisseminationRequest(RecordRequestBase):
    """A recipient's request that the originator widen a record's dissemination."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    record = models.ForeignKey(
        IntelRecord, on_delete=models.CASCADE, related_name="dissemination_requests", verbose_name=_("record")
    )
    states = models.ManyToManyField(State, related_name="+", verbose_name=_("states to add"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)

    history = HistoricalRecords()

    class Meta(RecordRequestBase.Meta):
        verbose_name = _("dissemination request")
        verbose_name_plural = _("dissemination requests")
        indexes = [models.Index(fields=["record", "status"], name="intel_dissreq_record_idx")]


class SeizureReport(models.Model):
    """Structured details of a record of kind "seizure"."""

    record = models.OneToOneField(
        IntelRecord, on_delete=models.CASCADE, related_name="seizure", verbose_name=_("record")
    )
    occurred_at = models.DateTimeField(_("date and time of seizure"), db_index=True, validators=[validate_not_future])
    country = models.CharField(_("country"), max_length=2, validators=[validate_country_code])
    place = models.CharField(_("place"), max_length=200)
    place_type = models.CharField(_("place type"), max_length=15, choices=PlaceType.choices)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-90")), MaxValueValidator(Decimal("90"))],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-180")), MaxValueValidator(Decimal("180"))],
    )
    route_origin = models.CharField(_("origin"), max_length=2, blank=True, validators=[validate_country_code])
    route_departure = models.CharField(_("departure"), max_length=2, blank=True, validators=[validate_country_code])
    route_transit = models.JSONField(
        _("transit states"), default=list, blank=True, help_text=_("Ordered ISO codes of transit states.")
    )
    route_destination = models.CharField(
        _("intended destination"), max_length=2, blank=True, validators=[validate_country_code]
    )
    transport_mode = models.CharField(_("transport mode"), max_length=10, choices=TransportMode.choices, blank=True)
    conveyance = models.CharField(
        _("conveyance identifiers"), max_length=250, blank=True, help_text=_("Plate, flight, train, vessel...")
    )
    concealment_method = models.CharField(
        _("concealment method"), max_length=20, choices=ConcealmentMethod.choices, blank=True
    )
    concealment_details = models.CharField(_("concealment details"), max_length=500, blank=True)
    persons_arrested = models.PositiveIntegerField(_("persons arrested"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("seizure report")
        verbose_name_plural = _("seizure reports")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(latitude__isnull=True) & models.Q(longitude__isnull=True))
                | (models.Q(latitude__isnull=False) & models.Q(longitude__isnull=False)),
                name="intel_seizure_coordinates_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record.reference} {self.place}"

    def clean(self) -> None:
        super().clean()
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))
        transit = self.route_transit or []
        if not isinstance(transit, list):
            raise ValidationError({"route_transit": _("Transit states must be a list of two-letter ISO codes.")})
        try:
            validate_country_codes(transit)
        except ValidationError as exc:
            raise ValidationError({"route_transit": exc.messages}) from exc


class SeizureItem(models.Model):
    """One substance seized: what, in which form, how much, how pure."""

    seizure = models.ForeignKey(
        SeizureReport, on_delete=models.CASCADE, related_name="items", verbose_name=_("seizure")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    substance = models.CharField(_("substance"), max_length=25, choices=Substance.choices, db_index=True)
    form = models.CharField(_("form"), max_length=10, choices=SubstanceForm.choices)
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    purity = models.DecimalField(
        _("purity (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    kg_equivalent = models.DecimalField(
        _("kg equivalent"), max_digits=17, decimal_places=3, null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["seizure", "position", "id"]
        verbose_name = _("seized item")
        verbose_name_plural = _("seized items")
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="intel_item_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_substance_display()} {self.quantity} {self.unit}"

    def save(self, *args, **kwargs) -> None:
        self.kg_equivalent = kg_equivalent(self.quantity, self.unit)
        super().save(*args, **kwargs)


class RequestForInformation(models.Model):
    """Details of a record of kind "rfi": who asks whom what, by when."""

    record = models.OneToOneField(IntelRecord, on_delete=models.CASCADE, related_name="rfi", verbose_name=_("record"))
    addressees = models.ManyToManyField(State, related_name="rfis_received", verbose_name=_("addressee states"))
    purpose = models.TextField(_("purpose"))
    legal_basis = models.CharField(_("legal basis"), max_length=500)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.STANDARD)
    deadline = models.DateTimeField(_("deadline"), db_index=True)
    status = models.CharField(
        _("status"), max_length=15, choices=RFIStatus.choices, default=RFIStatus.SENT, db_index=True
    )
    overdue_notified_at = models.DateTimeField(_("overdue notice sent at"), null=True, blank=True, editable=False)
    # The record the request asks about ("Request information about this record");
    # shown only to those who may see that record.
    about = models.ForeignKey(
        IntelRecord,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rfis_about",
        verbose_name=_("about record"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("request for information")
        verbose_name_plural = _("requests for information")

    def __str__(self) -> str:
        return self.record.reference

    OPEN_STATUSES = (RFIStatus.SENT, RFIStatus.ACKNOWLEDGED, RFIStatus.PARTLY_ANSWERED)

    @property
    def is_overdue(self) -> bool:
        """Past the deadline and not yet answered, refused or closed."""
        return self.status in self.OPEN_STATUSES and self.deadline < timezone.now()


class RFIQuestion(models.Model):
    """One itemised question of a request for information."""

    rfi = models.ForeignKey(
        RequestForInformation, on_delete=models.CASCADE, related_name="questions", verbose_name=_("request")
    )
    position = models.PositiveSmallIntegerField(_("number"), default=1)
    text = models.TextField(_("question"))

    class Meta:
        ordering = ["rfi", "position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return f"{self.position}. {self.text[:60]}"


def normalise_identifier(value: str, kind: str | None = None) -> str:
    """The matching form of an identifier: case-folded, accents and separators removed.

    "KZ 123-ABC" and "kz123abc" match; a phone keeps only digits so "+7 (701) 555"
    and "7701555" match.
    """
    value = unicodedata.normalize("NFKD", value or "")
    value = "".join(c for c in value if not unicodedata.combining(c)).casefold()
    if kind in (IdentifierKind.PHONE, IdentifierKind.IMEI):
        return re.sub(r"\D", "", value)
    return re.sub(r"[\W_]+", "", value)


class Identifier(models.Model):
    """A normalised identifier (person, passport, phone, plate...) linked to a record."""

    record = models.ForeignKey(
        IntelRecord, on_delete=models.CASCADE, related_name="identifiers", verbose_name=_("record")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=IdentifierKind.choices)
    value = models.CharField(_("value"), max_length=200)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    normalised = models.CharField(_("normalised value"), max_length=200, editable=False)

    class Meta:
        ordering = ["kind", "normalised", "id"]
        verbose_name = _("identifier")
        verbose_name_plural = _("identifiers")
        indexes = [models.Index(fields=["kind", "normalised"], name="intel_identifier_match_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    def save(self, *args, **kwargs) -> None:
        self.normalised = self.match_key(self.kind, self.value, self.date_of_birth)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if not normalise_identifier(self.value, self.kind):
            raise ValidationError({"value": _("The identifier has no letters or digits.")})

    @staticmethod
    def match_key(kind: str, value: str, date_of_birth=None) -> str:
        """A person matches on name and date of birth together; others on the value."""
        key = normalise_identifier(value, kind)
        if kind == IdentifierKind.PERSON and date_of_birth:
            key = f"{key}{date_of_birth:%Y%m%d}"
        return key


class IdentifierStopWord(models.Model):
    """An over-common identifier value kept off matching (e.g. "unknown", "000000")."""

    kind = models.CharField(_("kind"), max_length=12, choices=IdentifierKind.choices, blank=True)
    normalised = models.CharField(_("normalised value"), max_length=200)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["kind", "normalised"]
        verbose_name = _("stop-list entry")
        verbose_name_plural = _("identifier stop-list")
        constraints = [models.UniqueConstraint(fields=["kind", "normalised"], name="intel_stopword_unique")]

    def __str__(self) -> str:
        return f"{self.kind or '*'}: {self.normalised}"

    def save(self, *args, **kwargs) -> None:
        self.normalised = normalise_identifier(self.normalised, self.kind or None)
        super().save(*args, **kwargs)


def attachment_path(instance: Attachment, filename: str) -> str:
    # A random name: the original file name is kept in the row, never in the path.
    return f"intel/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file attached to a record, stored in private storage and served only by a logged view."""

    record = models.ForeignKey(
        IntelRecord, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("record")
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255, storage=private_storage)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["record", "uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        return reverse("intel:attachment-download", args=[self.record_id, self.pk])


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an access log entry."""


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Access log entries cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Access log entries cannot be deleted.")


class AccessLog(models.Model):
    """One read of a record: detail view, attachment download or export. Append-only."""

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        DOWNLOAD = "download", _("Downloaded attachment")
        EXPORT = "export", _("Exported")
        API_VIEW = "api_view", _("Viewed through the API")
        # The reader marked it read from the inbox without opening it (bulk "mark as read").
        MARKED_READ = "mark_read", _("Marked as read")

    record = models.ForeignKey(
        IntelRecord, on_delete=models.PROTECT, related_name="access_log", verbose_name=_("record")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    state = models.ForeignKey(
        State, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("state")
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    at = models.DateTimeField(_("time"), default=timezone.now)
    ip = models.GenericIPAddressField(_("client IP"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=255, blank=True)

    objects = AccessLogQuerySet.as_manager()

    # The entries that make a record "read" for its reader (IntelRecordQuerySet.with_unread).
    READ_ACTIONS = (Action.VIEW, Action.MARKED_READ)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        indexes = [
            models.Index(fields=["record", "-at"], name="intel_accesslog_record_idx"),
            models.Index(fields=["user", "record", "action"], name="intel_accesslog_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.record_id}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AppendOnlyError("Access log entries cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Access log entries cannot be deleted.")

    @classmethod
    def record_access(cls, request, record: IntelRecord, action: str, detail: str = "") -> AccessLog:
        """Write one entry for this request's user reading `record`."""
        from core.net import client_ip

        ip = client_ip(request) or None
        return cls.objects.create(
            record=record,
            user=request.user,
            state_id=getattr(request.user, "state_id", None),
            action=action,
            ip=ip,
            detail=detail[:255],
        )


def log_export(user, record_ids, *, ip: str | None = None, detail: str = "") -> int:
    """Write one `export` access log entry per exported record (bulk, append-only).

    For exports built outside a request (e.g. a report task), pass the IP the
    request came from when it was queued, if known.
    """
    entries = [
        AccessLog(
            record_id=pk,
            user=user,
            state_id=getattr(user, "state_id", None),
            action=AccessLog.Action.EXPORT,
            ip=ip or None,
            detail=detail[:255],
        )
        for pk in record_ids
    ]
    AccessLog.objects.bulk_create(entries)
    return len(entries)


class RemarkingRequest(RecordRequestBase):
    """A recipient's (or the centre's) request that the originator change a record's
    markings. Only the originator decides (intel.handling); history keeps every step."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")

    record = models.ForeignKey(
        IntelRecord, on_delete=models.CASCADE, related_name="remarking_requests", verbose_name=_("record")
    )
    tlp = models.CharField(_("requested TLP"), max_length=12, choices=TLP.choices)
    handling_code = models.CharField(_("requested handling code"), max_length=2, choices=HandlingCode.choices)
    handling_note = models.CharField(_("requested handling restrictions"), max_length=500, blank=True)
    classification = models.CharField(_("requested classification"), max_length=12, choices=Classification.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)

    history = HistoricalRecords()

    class Meta(RecordRequestBase.Meta):
        verbose_name = _("re-marking request")
        verbose_name_plural = _("re-marking requests")
        indexes = [models.Index(fields=["record", "status"], name="intel_remarkreq_record_idx")]

    @property
    def markings(self) -> dict[str, str]:
        return {
            "tlp": self.tlp,
            "handling_code": self.handling_code,
            "handling_note": self.handling_note,
            "classification": self.classification,
        }


class MarkingChange(models.Model):
    """One change of a record's markings by its originator: before, after, why, by whom.

    Shown on the record page to everyone who sees the record, so a downgrade is
    visible to every recipient state; `intel.signals.record_remarked` tells the rest.
    """

    record = models.ForeignKey(
        IntelRecord, on_delete=models.CASCADE, related_name="marking_changes", verbose_name=_("record")
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("changed by")
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now, editable=False)
    old = models.JSONField(_("markings before"))
    new = models.JSONField(_("markings after"))
    downgrade = models.BooleanField(_("downgrade"), default=False)
    reason = models.TextField(_("reason"), blank=True)
    request = models.ForeignKey(
        RemarkingRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("re-marking request"),
    )

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("marking change")
        verbose_name_plural = _("marking changes")
        indexes = [models.Index(fields=["record", "-changed_at"], name="intel_markchange_record_idx")]

    def __str__(self) -> str:
        return f"{self.record_id} {self.old.get('tlp')} -> {self.new.get('tlp')}"
