"""Vocabularies of the donors app."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Active ISO 4217 alphabetic codes (2024 list, funds and precious metals left out).
ISO_4217_CODES = frozenset(
    [
        "AED",
        "AFN",
        "ALL",
        "AMD",
        "ANG",
        "AOA",
        "ARS",
        "AUD",
        "AWG",
        "AZN",
        "BAM",
        "BBD",
        "BDT",
        "BGN",
        "BHD",
        "BIF",
        "BMD",
        "BND",
        "BOB",
        "BRL",
        "BSD",
        "BTN",
        "BWP",
        "BYN",
        "BZD",
        "CAD",
        "CDF",
        "CHF",
        "CLP",
        "CNY",
        "COP",
        "CRC",
        "CUP",
        "CVE",
        "CZK",
        "DJF",
        "DKK",
        "DOP",
        "DZD",
        "EGP",
        "ERN",
        "ETB",
        "EUR",
        "FJD",
        "FKP",
        "GBP",
        "GEL",
        "GHS",
        "GIP",
        "GMD",
        "GNF",
        "GTQ",
        "GYD",
        "HKD",
        "HNL",
        "HTG",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "IQD",
        "IRR",
        "ISK",
        "JMD",
        "JOD",
        "JPY",
        "KES",
        "KGS",
        "KHR",
        "KMF",
        "KPW",
        "KRW",
        "KWD",
        "KYD",
        "KZT",
        "LAK",
        "LBP",
        "LKR",
        "LRD",
        "LSL",
        "LYD",
        "MAD",
        "MDL",
        "MGA",
        "MKD",
        "MMK",
        "MNT",
        "MOP",
        "MRU",
        "MUR",
        "MVR",
        "MWK",
        "MXN",
        "MYR",
        "MZN",
        "NAD",
        "NGN",
        "NIO",
        "NOK",
        "NPR",
        "NZD",
        "OMR",
        "PAB",
        "PEN",
        "PGK",
        "PHP",
        "PKR",
        "PLN",
        "PYG",
        "QAR",
        "RON",
        "RSD",
        "RUB",
        "RWF",
        "SAR",
        "SBD",
        "SCR",
        "SDG",
        "SEK",
        "SGD",
        "SHP",
        "SLE",
        "SLL",
        "SOS",
        "SRD",
        "SSP",
        "STN",
        "SVC",
        "SYP",
        "SZL",
        "THB",
        "TJS",
        "TMT",
        "TND",
        "TOP",
        "TRY",
        "TTD",
        "TWD",
        "TZS",
        "UAH",
        "UGX",
        "USD",
        "UYU",
        "UZS",
        "VED",
        "VES",
        "VND",
        "VUV",
        "WST",
        "XAF",
        "XCD",
        "XOF",
        "XPF",
        "YER",
        "ZAR",
        "ZMW",
        "ZWL",
    ]
)

REPORTING_CURRENCY = "USD"


class DonorType(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    INTERGOVERNMENTAL = "intergovernmental", _("Intergovernmental organisation")
    UN_ENTITY = "un_entity", _("UN entity")
    FOUNDATION = "foundation", _("Foundation")
    PRIVATE = "private", _("Private")


class Earmark(models.TextChoices):
    CORE = "core", _("Core budget")
    PROGRAMME = "programme", _("Programme")
    JOINT_OPERATION = "joint_operation", _("Joint operation")
    EQUIPMENT = "equipment", _("Equipment")
    TRAINING = "training", _("Training")
    OTHER = "other", _("Other")


class PledgeStatus(models.TextChoices):
    ANNOUNCED = "announced", _("Announced")
    COMMITTED = "committed", _("Committed")
    PARTIALLY_PAID = "partially_paid", _("Partially paid")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")
    WRITTEN_OFF = "written_off", _("Written off")


class Closure(models.TextChoices):
    """How a pledge was closed before being paid in full (a person's decision, with a reason)."""

    CANCELLED = "cancelled", _("Cancelled")
    WRITTEN_OFF = "written_off", _("Written off")


class InstalmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    PAID = "paid", _("Paid")
    OVERDUE = "overdue", _("Overdue")
    CLOSED = "closed", _("Closed with the pledge")


class ObligationKind(models.TextChoices):
    NARRATIVE_INTERIM = "narrative_interim", _("Narrative interim report")
    NARRATIVE_FINAL = "narrative_final", _("Narrative final report")
    FINANCIAL = "financial", _("Financial report")
    AUDIT = "audit", _("Audit")


class ObligationStatus(models.TextChoices):
    DUE = "due", _("Due")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    OVERDUE = "overdue", _("Overdue")


class BudgetCategory(models.TextChoices):
    STAFF = "staff", _("Staff")
    OPERATIONS = "operations", _("Joint operations")
    EQUIPMENT = "equipment", _("Equipment")
    TRAINING = "training", _("Training")
    ICT = "ict", _("Information systems")
    PREMISES = "premises", _("Premises and running costs")
    OTHER = "other", _("Other")
