"""The foundation's own tables: reference sequences and idempotency keys.

Both moved here from the apps that first needed them (members, intel); their
tables keep their names, so the moves changed no data.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReferenceSequence(models.Model):
    """The last number issued in a series and year, for references such as
    CARICC-2026-000123 (intel records) or JO-2026-00007 (joint operations)."""

    series = models.CharField(_("series"), max_length=20)
    year = models.PositiveIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        db_table = "members_referencesequence"  # moved from members with its data
        ordering = ["series", "year"]
        verbose_name = _("reference sequence")
        verbose_name_plural = _("reference sequences")
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="members_refseq_unique_series_year"),
        ]

    def __str__(self) -> str:
        return f"{self.series}-{self.year}: {self.last}"

    @classmethod
    def next_reference(cls, series: str, year: int, width: int) -> str:
        """Issue the next reference of a series and year; the row lock means two writers never clash."""
        with transaction.atomic():
            cls.objects.get_or_create(series=series, year=year)
            counter = cls.objects.select_for_update().get(series=series, year=year)
            counter.last += 1
            counter.save(update_fields=["last"])
        return f"{series}-{year}-{counter.last:0{width}d}"


class IdempotencyKey(models.Model):
    """The first answer to an API write sent with an Idempotency-Key header."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    endpoint = models.CharField(max_length=100)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "intel_idempotencykey"  # moved from intel with its data
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "endpoint", "key"], name="intel_idempotency_unique"),
        ]

    def __str__(self) -> str:
        return self.key
