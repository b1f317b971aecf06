"""The foundation's own tables: reference sequences and idempotency keys.

Both moved here from the apps that first needed them (members, intel); their
tables keep their names, so the moves changed no data.
"""

from __future__ import annotations

import contextlib
import datetime as dt

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
    def next_reference(cls, series: str, year: int, width: int, *, taken: models.QuerySet | None = None) -> str:
        """Issue the next reference of a series and year, e.g. CARICC-KZ-2026-000183.

        On PostgreSQL the number comes from a database sequence per series and year
        (created on first use): nextval() is not transactional, so no lock is held
        until the caller commits and a 500-item batch of one state never makes
        another state wait (a rolled-back caller leaves a gap, which is fine). The
        unique constraint on the reference column is what guarantees uniqueness.
        Elsewhere (SQLite, the embedded default, one writer at a time anyway) this
        table's row counter is kept.

        `taken`: a queryset of the model's existing references; a new sequence
        starts after the highest one of its series and year, so references issued
        before the sequence existed stay valid and are never issued twice.
        """
        from django.db import connection

        prefix = f"{series}-{year}-"
        if connection.vendor == "postgresql":
            number = _next_from_sequence(series, year, lambda: cls._highest(series, year, prefix, taken))
        else:
            number = cls._next_from_row(series, year)
        return f"{prefix}{number:0{width}d}"

    @classmethod
    def _next_from_row(cls, series: str, year: int) -> int:
        with transaction.atomic():
            cls.objects.get_or_create(series=series, year=year)
            counter = cls.objects.select_for_update().get(series=series, year=year)
            counter.last += 1
            counter.save(update_fields=["last"])
        return counter.last

    @classmethod
    def _highest(cls, series: str, year: int, prefix: str, taken: models.QuerySet | None) -> int:
        """The highest number already used in a series and year (row counter or existing references)."""
        highest = cls.objects.filter(series=series, year=year).values_list("last", flat=True).first() or 0
        if taken is not None:
            for reference in taken.filter(reference__startswith=prefix).values_list("reference", flat=True):
                tail = reference[len(prefix) :]
                if tail.isdigit():
                    highest = max(highest, int(tail))
        return highest


# Sequences this process has seen exist: nextval() straight away, no catalogue look-up.
_KNOWN_SEQUENCES: set[str] = set()


def sequence_name(series: str, year: int) -> str:
    """The PostgreSQL sequence of a series and year, e.g. caricc_ref_caricc_kz_2026."""
    safe = "".join(ch if ch.isalnum() else "_" for ch in series.lower())
    return f"caricc_ref_{safe}_{year}"


def _next_from_sequence(series: str, year: int, highest) -> int:
    from django.db import ProgrammingError, connection

    name = sequence_name(series, year)
    if name not in _KNOWN_SEQUENCES:
        _create_sequence(name, highest)
    try:
        # In a savepoint: should the sequence have gone (a test database rebuilt under a
        # long-lived process), the caller's transaction survives the failed nextval().
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [name])
            return cursor.fetchone()[0]
    except ProgrammingError:
        # PostgreSQL remembers a failed name look-up for the rest of the caller's
        # transaction, so a sequence made on another connection stays invisible here:
        # make it on this connection (it then commits or rolls back with the caller,
        # and a rollback simply brings us back to this path next time).
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"CREATE SEQUENCE IF NOT EXISTS {connection.ops.quote_name(name)} START WITH %s", [highest() + 1]
            )
            cursor.execute("SELECT nextval(%s)", [name])
            return cursor.fetchone()[0]


def _create_sequence(name: str, highest) -> None:
    """Create the sequence if it is missing, starting after `highest()`.

    On a connection of its own, in autocommit: DDL inside the caller's transaction
    would lock the new sequence until that transaction ends (and vanish if it rolled
    back); and a failed look-up on the caller's connection would be remembered there
    for the rest of its transaction.
    """
    from django.db import DEFAULT_DB_ALIAS, IntegrityError, ProgrammingError, connections

    wrapper = connections[DEFAULT_DB_ALIAS]
    own = type(wrapper)(dict(wrapper.settings_dict), alias=wrapper.alias)
    try:
        with own.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
            if not cursor.fetchone()[0]:
                start = highest() + 1
                # Two first writers at once: the other one created it.
                with contextlib.suppress(IntegrityError, ProgrammingError):
                    cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {own.ops.quote_name(name)} START WITH %s", [start])
    finally:
        own.close()
    _KNOWN_SEQUENCES.add(name)


def idempotency_ttl() -> dt.timedelta:
    """How long an Idempotency-Key (and a form's one-time token) is remembered: 24 hours by default."""
    return dt.timedelta(hours=getattr(settings, "IDEMPOTENCY_KEY_TTL_HOURS", 24))


class IdempotencyKeyQuerySet(models.QuerySet):
    def live(self, now: dt.datetime | None = None) -> IdempotencyKeyQuerySet:
        """Keys younger than the time to live; older ones are ignored even before the clean-up deletes them."""
        return self.filter(created_at__gt=(now or timezone.now()) - idempotency_ttl())

    def expired(self, now: dt.datetime | None = None) -> IdempotencyKeyQuerySet:
        return self.filter(created_at__lte=(now or timezone.now()) - idempotency_ttl())


class IdempotencyKey(models.Model):
    """The first answer to an API write sent with an Idempotency-Key header.

    `fingerprint` is the SHA-256 of the request (method, path, canonical body):
    the same key with another body is the client's mistake (422), not a replay.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    endpoint = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64, blank=True)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = IdempotencyKeyQuerySet.as_manager()

    class Meta:
        db_table = "intel_idempotencykey"  # moved from intel with its data
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "endpoint", "key"], name="intel_idempotency_unique"),
        ]

    def __str__(self) -> str:
        return self.key


class SubmissionToken(models.Model):
    """A create form's one-time token, claimed by the first POST that carries it.

    The row is inserted before the object is created, in the same transaction:
    a second POST of the same token (a double click, a resubmitted page) waits
    on the unique index until the first commits, then finds the row and is sent
    to `url`, the page of the object the first POST created.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(_("token"), max_length=64)
    url = models.CharField(_("result"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")
        constraints = [
            models.UniqueConstraint(fields=["user", "token"], name="core_submission_token_unique"),
        ]

    def __str__(self) -> str:
        return self.token
