"""Choices of the reports app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    """The report kinds; each one is implemented by a class in the reports/kinds/ package."""

    SEIZURE_STATISTICS = "seizure_statistics", _("Seizure statistics")
    SEIZURE_REGISTER = "seizure_register", _("Seizure register")
    OPERATIONS_SUMMARY = "operations_summary", _("Operations summary")
    RFI_COMPLIANCE = "rfi_compliance", _("RFI compliance")
    FUNDING_STATUS = "funding_status", _("Funding status")


class ReportFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("Excel (XLSX)")
    PDF = "pdf", _("PDF")

    @classmethod
    def content_type(cls, value: str) -> str:
        return {
            cls.CSV: "text/csv; charset=utf-8",
            cls.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            cls.PDF: "application/pdf",
        }[value]


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")
