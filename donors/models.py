"""Donors, pledging events, pledges, instalments, payments, agreements, budget lines.

Donor data is not shared per state: it is role-based. Every model's queryset
offers `visible_to(user, action)`, the single read path: the user must hold the
model permission `donors.<action>_<model>` (donor relations, coordinators,
administrators), and confidential donors with everything hanging off them are
shown only to holders of `donors.view_confidential_donor` (donor relations).

Money is Decimal throughout; every amount carries its ISO 4217 currency and is
converted to USD (the reporting currency) at the rate of its own date, and the
rate used is stored on the row, so that later rate corrections never rewrite
history silently.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.storage import private_storage
from core.uploads import check_upload, random_path, serve_attachment
from core.visibility import VisibleQuerySet, can_see_anything, holds_model_permission

from .choices import (
    BudgetCategory,
    Closure,
    DonorType,
    Earmark,
    InstalmentStatus,
    ObligationKind,
    ObligationStatus,
    PledgeStatus,
)
from .money import ZERO, cents, rate_to_usd, to_usd, validate_currency

MONEY = {"max_digits": 18, "decimal_places": 2}
RATE = {"max_digits": 20, "decimal_places": 10}
POSITIVE = [MinValueValidator(Decimal("0.01"))]


class DonorsQuerySet(VisibleQuerySet):
    """Role-based visibility for every donors model (the single read path)."""

    def visible_for_user(self, user: Any, action: str) -> DonorsQuerySet:
        """Rows the user may see (or hold `action` on): nothing without the model permission."""
        if not holds_model_permission(user, self.model, action):
            return self.none()
        path = getattr(self.model, "confidential_path", None)
        if path and not user.has_perm("donors.view_confidential_donor"):
            return self.filter(**{path: False})
        return self


def may_use_donors(user: Any) -> bool:
    """Whether the user has any business in the donors app (the app answers 404 otherwise)."""
    return can_see_anything(user) and user.has_perm("donors.view_donor")


class Donor(models.Model):
    """A government, organisation, foundation or private donor of the centre."""

    confidential_path = "confidential"

    name = models.CharField(_("name"), max_length=200, unique=True)
    type = models.CharField(_("type"), max_length=20, choices=DonorType.choices, db_index=True)
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        help_text=_("ISO 3166-1 alpha-2 code, e.g. DE; empty for international organisations."),
    )
    focal_points = models.TextField(
        _("focal points"), blank=True, help_text=_("One per line: name, position, e-mail, phone.")
    )
    confidential = models.BooleanField(
        _("confidential"), default=False, db_index=True, help_text=_("Only donor relations staff see this donor.")
    )
    notes = models.TextField(_("notes"), blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = DonorsQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("donor")
        verbose_name_plural = _("donors")
        permissions = [("view_confidential_donor", _("Can see confidential donors"))]
        indexes = [models.Index(fields=["-created_at", "-id"], name="donors_donor_created_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("donors:donor-detail", args=[self.pk])

    def clean(self) -> None:
        if self.country and not (len(self.country) == 2 and self.country.isalpha() and self.country.isupper()):
            raise ValidationError({"country": _("Enter a two-letter ISO 3166-1 code in capitals.")})


class PledgingEvent(models.Model):
    """A donor conference or pledging round (e.g. the online conference of 20 April)."""

    name = models.CharField(_("name"), max_length=200)
    date = models.DateField(_("date"), db_index=True)
    online = models.BooleanField(_("online"), default=False)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = DonorsQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "name"]
        verbose_name = _("pledging event")
        verbose_name_plural = _("pledging events")
        constraints = [models.UniqueConstraint(fields=["name", "date"], name="donors_event_unique_name_date")]

    def __str__(self) -> str:
        return f"{self.name} ({self.date:%d.%m.%Y})"

    def get_absolute_url(self) -> str:
        return reverse("donors:event-list")

    @property
    def year(self) -> int:
        return self.date.year


class ExchangeRate(models.Model):
    """USD per unit of a currency on a date, maintained by donor relations staff."""

    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    date = models.DateField(_("date"))
    rate_to_usd = models.DecimalField(
        _("rate to USD"),
        **RATE,
        validators=[MinValueValidator(Decimal("0.0000000001"))],
        help_text=_("US dollars for one unit of the currency."),
    )
    source = models.CharField(_("source"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = DonorsQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "currency"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["currency", "date"], name="donors_rate_unique_currency_date"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.date:%Y-%m-%d}: {self.rate_to_usd}"

    def get_absolute_url(self) -> str:
        return reverse("donors:rate-list")


class Pledge(models.Model):
    """A donor's promise of money; its status follows from agreements and money received.

    `status`, `received_amount` and `received_usd` are derived by
    `refresh_status()` whenever an agreement or a payment changes; no form or
    serializer lets a person type them. `overpaid` follows from the row itself.
    """

    confidential_path = "donor__confidential"

    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="pledges", verbose_name=_("donor"))
    event = models.ForeignKey(
        PledgingEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pledges",
        verbose_name=_("pledging event"),
    )
    announced_on = models.DateField(_("announced on"), db_index=True)
    amount = models.DecimalField(_("amount"), **MONEY, validators=POSITIVE)
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency], default="USD")
    rate_to_usd = models.DecimalField(_("rate to USD"), **RATE, editable=False)
    amount_usd = models.DecimalField(_("amount (USD)"), **MONEY, editable=False)
    earmark = models.CharField(_("earmark"), max_length=20, choices=Earmark.choices, db_index=True)
    earmark_detail = models.CharField(
        _("earmark detail"), max_length=200, blank=True, help_text=_("E.g. the programme or joint operation.")
    )
    year_from = models.PositiveSmallIntegerField(_("first year covered"), db_index=True)
    year_to = models.PositiveSmallIntegerField(_("last year covered"), db_index=True)
    conditions = models.TextField(_("conditions"), blank=True)

    status = models.CharField(
        _("status"), max_length=20, choices=PledgeStatus.choices, default=PledgeStatus.ANNOUNCED, editable=False
    )
    received_amount = models.DecimalField(_("received"), **MONEY, default=ZERO, editable=False)
    received_usd = models.DecimalField(_("received (USD)"), **MONEY, default=ZERO, editable=False)

    closure = models.CharField(_("closed as"), max_length=20, choices=Closure.choices, blank=True, editable=False)
    closure_reason = models.TextField(_("reason for closing"), blank=True, editable=False)
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)

    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("recorded by"),
    )

    objects = DonorsQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="donors_pledge_created_idx"),
            models.Index(fields=["status", "-created_at"], name="donors_pledge_status_idx"),
            models.Index(fields=["donor", "-created_at"], name="donors_pledge_donor_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="donors_pledge_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(year_to__gte=models.F("year_from")), name="donors_pledge_years_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.donor}: {self.amount} {self.currency} ({self.announced_on:%d.%m.%Y})"

    def save(self, *args, **kwargs) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"amount", "currency", "announced_on"} & set(update_fields):
            self.convert()
        with transaction.atomic():
            super().save(*args, **kwargs)
            if update_fields is None:
                self.refresh_status()

    def get_absolute_url(self) -> str:
        return reverse("donors:pledge-detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return bool(self.closure)

    @property
    def overpaid(self) -> bool:
        """More money received than pledged (read from the row, not stored a second time)."""
        return self.received_amount > self.amount

    @property
    def outstanding(self) -> Decimal:
        return max(self.amount - self.received_amount, ZERO)

    def clean(self) -> None:
        errors = {}
        if self.year_from and self.year_to and self.year_to < self.year_from:
            errors["year_to"] = _("The last year covered cannot be before the first.")
        if self.currency and self.announced_on:
            try:
                rate_to_usd(self.currency, self.announced_on)
            except ValidationError as exc:
                errors["announced_on"] = exc.messages
        if errors:
            raise ValidationError(errors)

    def convert(self) -> None:
        """Set the USD value at the rate of the announcement date (raises if the rate is missing)."""
        self.rate_to_usd = rate_to_usd(self.currency, self.announced_on)
        self.amount_usd = to_usd(self.amount, self.rate_to_usd)

    def derived_values(self) -> dict[str, Any]:
        """Status and money received, computed from the database rows."""
        received = ZERO
        received_usd = ZERO
        for amount, usd in self.payments.values_list("pledge_amount", "amount_usd"):
            received += amount
            received_usd += usd
        if self.closure:
            status = self.closure
        elif received >= self.amount:
            status = PledgeStatus.PAID
        elif received > 0:
            status = PledgeStatus.PARTIALLY_PAID
        elif self.agreements.filter(signed_on__isnull=False).exists():
            status = PledgeStatus.COMMITTED
        else:
            status = PledgeStatus.ANNOUNCED
        return {
            "status": status,
            "received_amount": cents(received),
            "received_usd": cents(received_usd),
        }

    def refresh_status(self) -> None:
        """Recompute the derived fields and instalment states; save only what changed."""
        with transaction.atomic():
            if self.pk:
                # Serialise concurrent payments on one pledge (no-op on SQLite).
                Pledge.objects.select_for_update().filter(pk=self.pk).values_list("pk").first()
            values = self.derived_values()
            changed = [name for name, value in values.items() if getattr(self, name) != value]
            for name, value in values.items():
                setattr(self, name, value)
            if changed:
                super().save(update_fields=[*changed, "updated_at"])
            self._allocate_to_instalments()

    def _allocate_to_instalments(self) -> None:
        """Money received pays instalments in due-date order; unpaid past-due ones are overdue."""
        today = timezone.localdate()
        covered = ZERO
        for instalment in self.instalments.order_by("due_on", "id"):
            covered += instalment.amount
            if covered <= self.received_amount:
                status = InstalmentStatus.PAID
            elif self.closure:
                status = InstalmentStatus.CLOSED
            elif instalment.due_on < today:
                status = InstalmentStatus.OVERDUE
            else:
                status = InstalmentStatus.SCHEDULED
            if instalment.status != status:
                instalment.status = status
                instalment.save(update_fields=["status"])

    def close(self, closure: str, reason: str, on=None) -> None:
        """Cancel or write off the pledge, with a reason. A fully paid pledge cannot be closed."""
        if self.closure:
            raise ValidationError(_("This pledge is already closed."), code="closed")
        if self.status == PledgeStatus.PAID:
            raise ValidationError(_("A fully paid pledge cannot be cancelled or written off."), code="paid")
        if not reason.strip():
            raise ValidationError({"reason": _("Give the reason for closing the pledge.")})
        with transaction.atomic():
            self.closure = closure
            self.closure_reason = reason.strip()
            self.closed_on = on or timezone.localdate()
            super().save(update_fields=["closure", "closure_reason", "closed_on", "updated_at"])
            self.refresh_status()


class Instalment(models.Model):
    """One scheduled instalment of a pledge, in the pledge's currency."""

    confidential_path = "pledge__donor__confidential"

    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="instalments", verbose_name=_("pledge"))
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount"), **MONEY, validators=POSITIVE)
    status = models.CharField(
        _("status"), max_length=20, choices=InstalmentStatus.choices, default=InstalmentStatus.SCHEDULED, editable=False
    )

    objects = DonorsQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        indexes = [
            models.Index(fields=["status", "due_on"], name="donors_instalment_status_idx"),
            # The year's instalments (the funding dashboard and the home page's coverage).
            models.Index(fields=["due_on"], name="donors_instalment_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.pledge.currency} {self.due_on:%d.%m.%Y}"

    def get_absolute_url(self) -> str:
        return reverse("donors:pledge-detail", args=[self.pledge_id])

    @property
    def amount_usd(self) -> Decimal:
        return to_usd(self.amount, self.pledge.rate_to_usd)


class Payment(models.Model):
    """Money received against a pledge, in any currency, converted at its value date.

    The rate used is stored: `rate_to_usd` for the payment's currency and, when the
    pledge is in another currency, `pledge_rate_to_usd` for the cross conversion
    into the pledge's currency (what the status compares against).
    """

    confidential_path = "pledge__donor__confidential"

    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="payments", verbose_name=_("pledge"))
    value_date = models.DateField(_("value date"), db_index=True)
    amount = models.DecimalField(_("amount"), **MONEY, validators=POSITIVE)
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    rate_to_usd = models.DecimalField(_("rate to USD"), **RATE, editable=False)
    amount_usd = models.DecimalField(_("amount (USD)"), **MONEY, editable=False)
    pledge_rate_to_usd = models.DecimalField(_("pledge currency rate to USD"), **RATE, editable=False)
    pledge_amount = models.DecimalField(_("amount in the pledge currency"), **MONEY, editable=False)
    reference = models.CharField(_("bank reference"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("recorded by"),
    )

    objects = DonorsQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        indexes = [models.Index(fields=["-created_at", "-id"], name="donors_payment_created_idx")]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="donors_payment_positive")]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} {self.value_date:%d.%m.%Y}"

    def save(self, *args, **kwargs) -> None:
        with transaction.atomic():
            self.convert()
            super().save(*args, **kwargs)
            self.pledge.refresh_status()

    def get_absolute_url(self) -> str:
        return reverse("donors:pledge-detail", args=[self.pledge_id])

    def convert(self) -> None:
        """Convert at the value date's rates; raises a ValidationError (on value_date) if one is missing."""
        try:
            self.rate_to_usd = rate_to_usd(self.currency, self.value_date)
            self.amount_usd = to_usd(self.amount, self.rate_to_usd)
            if self.currency == self.pledge.currency:
                self.pledge_rate_to_usd = self.rate_to_usd
                self.pledge_amount = cents(self.amount)
            else:
                self.pledge_rate_to_usd = rate_to_usd(self.pledge.currency, self.value_date)
                self.pledge_amount = cents(self.amount * self.rate_to_usd / self.pledge_rate_to_usd)
        except ValidationError as exc:
            raise ValidationError({"value_date": exc.messages}) from exc

    def clean(self) -> None:
        if self.pledge_id and self.value_date and self.currency and self.amount:
            if self.pledge.closure == Closure.CANCELLED:
                raise ValidationError(_("The pledge is cancelled; no payment can be recorded against it."))
            self.convert()


class Agreement(models.Model):
    """The signed agreement that turns a pledge into a commitment."""

    confidential_path = "pledge__donor__confidential"

    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("pledge"))
    reference = models.CharField(_("reference"), max_length=100)
    signed_on = models.DateField(_("signed on"), null=True, blank=True, help_text=_("Empty while in negotiation."))
    start_on = models.DateField(_("start"), null=True, blank=True)
    end_on = models.DateField(_("end"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = DonorsQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self) -> str:
        return self.reference

    def save(self, *args, **kwargs) -> None:
        with transaction.atomic():
            super().save(*args, **kwargs)
            self.pledge.refresh_status()

    def get_absolute_url(self) -> str:
        return reverse("donors:pledge-detail", args=[self.pledge_id])

    def clean(self) -> None:
        if self.start_on and self.end_on and self.end_on < self.start_on:
            raise ValidationError({"end_on": _("The end cannot be before the start.")})


def attachment_path(instance: AgreementAttachment, filename: str) -> str:
    # A random name (core.uploads): the original file name is kept in the row only.
    return random_path("donors/agreements")


class AgreementAttachment(models.Model):
    """A scanned agreement or annex; served only through a permission-checked view."""

    confidential_path = "agreement__pledge__donor__confidential"

    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("agreement")
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255, storage=private_storage)
    name = models.CharField(_("name"), max_length=200)
    # Set by the upload policy (core.uploads.check_upload); blank on files stored before it.
    filename = models.CharField(_("file name"), max_length=255, blank=True, editable=False)
    content_type = models.CharField(_("content type"), max_length=100, blank=True, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("uploaded by")
    )

    objects = DonorsQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("agreement attachment")
        verbose_name_plural = _("agreement attachments")

    def __str__(self) -> str:
        return self.name

    def accept_upload(self, upload: Any) -> None:
        """Take the file under the portal's one upload policy (core.uploads: real type,
        size limit, SHA-256), keeping what it learnt beside the file. Raises a
        ValidationError (one message) if the file is refused. The UI's form and the API
        both call this, so a file is accepted or refused the same way in both."""
        checked = check_upload(upload)
        self.file = upload
        self.filename = checked.filename
        self.content_type = checked.content_type
        self.size = checked.size
        self.sha256 = checked.sha256

    def download(self, request):
        """The file as a download (logged by core.uploads), for the UI's and the API's
        download routes, each after its own visibility check."""
        return serve_attachment(
            request,
            self.file,
            filename=self.filename or self.file.name.rsplit("/")[-1],
            content_type=self.content_type,
            sha256=self.sha256,
            what=f"donors.agreementattachment:{self.pk}",
        )


class ReportingObligation(models.Model):
    """A report the centre owes a donor under an agreement (eTools' reporting requirements)."""

    confidential_path = "agreement__pledge__donor__confidential"

    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="obligations", verbose_name=_("agreement")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ObligationKind.choices)
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    due_on = models.DateField(_("due on"))
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ObligationStatus.choices, default=ObligationStatus.DUE, editable=False
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = DonorsQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("reporting obligation")
        verbose_name_plural = _("reporting obligations")
        indexes = [models.Index(fields=["status", "due_on"], name="donors_obligation_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.due_on:%d.%m.%Y})"

    def save(self, *args, **kwargs) -> None:
        self.status = self.derived_status()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "status", "updated_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("donors:pledge-detail", args=[self.agreement.pledge_id])

    def clean(self) -> None:
        if self.accepted_on and not self.submitted_on:
            raise ValidationError({"accepted_on": _("A report must be submitted before it is accepted.")})
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period cannot end before it starts.")})

    def derived_status(self) -> str:
        if self.accepted_on:
            return ObligationStatus.ACCEPTED
        if self.submitted_on:
            return ObligationStatus.SUBMITTED
        if self.due_on < timezone.localdate():
            return ObligationStatus.OVERDUE
        return ObligationStatus.DUE


class BudgetLine(models.Model):
    """One line of the centre's budget requirement for a year, in USD."""

    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    category = models.CharField(_("category"), max_length=20, choices=BudgetCategory.choices)
    description = models.CharField(_("description"), max_length=200)
    amount_usd = models.DecimalField(_("amount (USD)"), **MONEY, validators=POSITIVE)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = DonorsQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "category", "id"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")

    def __str__(self) -> str:
        return f"{self.year} {self.get_category_display()}: {self.description}"

    def get_absolute_url(self) -> str:
        return f"{reverse('donors:budget-list')}?year={self.year}"


class ReminderLog(models.Model):
    """One reminder sent about one instalment or obligation on one day.

    The unique constraint is what makes the daily task idempotent: a second run
    on the same day finds the row and sends nothing.
    """

    class Kind(models.TextChoices):
        BEFORE = "before", _("Before the due date")
        OVERDUE = "overdue", _("Overdue")

    target = models.CharField(_("about"), max_length=50, help_text=_("E.g. instalment:12 or obligation:3."))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    sent_on = models.DateField(_("sent on"))
    recipients = models.TextField(_("recipients"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = DonorsQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_on", "target"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [models.UniqueConstraint(fields=["target", "sent_on"], name="donors_reminder_once_a_day")]
        indexes = [models.Index(fields=["target", "kind"], name="donors_reminder_target_idx")]

    def __str__(self) -> str:
        return f"{self.target} {self.sent_on}"
