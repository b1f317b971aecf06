"""Report requests: what was asked, by whom, and the file a worker built for it.

A ReportRequest is the job record (NetBox's Job, Saleor's ExportFile): the kind
and its validated parameters, the format, the status with progress, the file in
private storage and when it expires. The worker that builds it reads the data
through `visible_to(requester)` only (see the reports/kinds/ package and reports/tasks.py).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.storage import private_storage
from core.visibility import VisibleQuerySet

from .choices import ReportFormat, ReportKind, ReportStatus


def report_file_name(instance: ReportRequest, filename: str = "") -> str:
    """The one storage path of a report's file: a re-run rewrites the same path."""
    return f"reports/{instance.pk}/{instance.kind}-{instance.pk}.{instance.format}"


class ReportRequestQuerySet(VisibleQuerySet):
    """Report requests, with the single visibility rule of the reports app."""

    def visible_for_user(self, user: Any, action: str) -> ReportRequestQuerySet:
        """The requests a user may see.

        * everyone sees the reports they requested themselves;
        * a state's users (officers, partner systems) also see the scheduled
          reports owned by their state (built from what their state may see);
        * centre staff holding `reports.view_reportrequest` (coordinators,
          analysts) also see every scheduled report. They already see every
          record, so a state's report tells them nothing new. Other people's
          ad-hoc reports stay private to their requester.

        Only the requester may act on a report (`action` other than "view").
        """
        condition = Q(requested_by=user)
        if action == "view":
            if user.state_id:
                condition |= Q(owner_state_id=user.state_id)
            if user.has_perm("reports.view_reportrequest"):
                condition |= Q(owner_state__isnull=False)
        return self.filter(condition)

    def expired_files(self, now=None) -> ReportRequestQuerySet:
        """Finished reports whose retention has ended."""
        return self.filter(expires_at__lte=now or timezone.now()).exclude(status=ReportStatus.EXPIRED)


class ReportRequest(models.Model):
    """One report asked for by a user or by the monthly schedule of a state."""

    kind = models.CharField(_("kind"), max_length=40, choices=ReportKind.choices)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    format = models.CharField(_("format"), max_length=4, choices=ReportFormat.choices, default=ReportFormat.XLSX)
    language = models.CharField(_("language"), max_length=8, default="en")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="report_requests",
        verbose_name=_("requested by"),
    )
    owner_state = models.ForeignKey(
        "members.State",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("owner state"),
        help_text=_("For a scheduled report: the state whose users may see it."),
    )
    schedule_key = models.CharField(
        _("schedule key"),
        max_length=60,
        blank=True,
        help_text=_("Identifies one scheduled run (state and month), so a repeated beat creates nothing twice."),
    )
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0, validators=[MaxValueValidator(100)])
    file = models.FileField(_("file"), upload_to=report_file_name, max_length=255, blank=True, storage=private_storage)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    tlp = models.CharField(_("highest TLP"), max_length=20, blank=True)
    classification = models.CharField(_("highest classification"), max_length=40, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Fault tolerance (reports.tasks.sweep_reports): when the build's message was last
    # handed to the broker (null: not yet, e.g. the broker was down) and how often;
    # the running build's last sign of life; how often it was restarted because its
    # worker was lost.
    sent_at = models.DateTimeField(_("sent to the queue at"), null=True, blank=True)
    sends = models.PositiveSmallIntegerField(_("messages sent"), default=0)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    restarts = models.PositiveSmallIntegerField(_("restarts after a worker failure"), default=0)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    # Progress ticks are written with queryset.update(), so history records the
    # status changes only, not every 5 percent.
    history = HistoricalRecords(excluded_fields=["progress", "heartbeat_at", "sent_at", "sends"])

    objects = ReportRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [
            models.Index(fields=["requested_by", "-created_at", "-id"], name="reports_req_by_created_idx"),
            models.Index(fields=["owner_state", "-created_at", "-id"], name="reports_owner_created_idx"),
            models.Index(
                fields=["-created_at", "-id"],
                condition=Q(owner_state__isnull=False),
                name="reports_scheduled_created_idx",
            ),
            models.Index(fields=["status", "expires_at"], name="reports_status_expires_idx"),
            # The sweep's two questions: queued rows not sent lately, running rows without a heartbeat.
            models.Index(
                fields=["status", "heartbeat_at"],
                condition=Q(status__in=["queued", "running"]),
                name="reports_pending_idx",
            ),
            models.Index(fields=["-created_at", "-id"], name="reports_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="reports_progress_at_most_100"),
            models.UniqueConstraint(
                fields=["schedule_key"], condition=~Q(schedule_key=""), name="reports_unique_schedule_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_format_display()})"

    def get_absolute_url(self) -> str:
        return reverse("reports:detail", args=[self.pk])

    def get_download_url(self) -> str:
        return reverse("reports:download", args=[self.pk])

    @property
    def scheduled(self) -> bool:
        """Built by a state's monthly schedule (it has an owner state) rather than asked for."""
        return self.owner_state_id is not None

    @property
    def is_pending(self) -> bool:
        return self.status in (ReportStatus.QUEUED, ReportStatus.RUNNING)

    @property
    def may_run_again(self) -> bool:
        """A failed report can be queued again by its requester (the "Run again" button)."""
        return self.status == ReportStatus.FAILED

    @property
    def is_downloadable(self) -> bool:
        return self.status == ReportStatus.SUCCEEDED and bool(self.file)

    @property
    def content_type(self) -> str:
        return ReportFormat.content_type(self.format)

    @property
    def download_name(self) -> str:
        stamp = timezone.localtime(self.finished_at or self.created_at).strftime("%Y%m%d")
        return f"caricc-{self.kind.replace('_', '-')}-{self.pk}-{stamp}.{self.format}"
