"""Controlled vocabularies shared by intel and operations (seizures, results).

Operations imports this module (docs/ARCHITECTURE.md allows operations -> intel); keep the
names stable.
"""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Substance(models.TextChoices):
    HEROIN = "heroin", _("Heroin")
    OPIUM = "opium", _("Opium")
    MORPHINE = "morphine", _("Morphine")
    CANNABIS_RESIN = "cannabis_resin", _("Cannabis resin (hashish)")
    CANNABIS_HERB = "cannabis_herb", _("Cannabis herb (marijuana)")
    COCAINE = "cocaine", _("Cocaine")
    METHAMPHETAMINE = "methamphetamine", _("Methamphetamine")
    AMPHETAMINE = "amphetamine", _("Amphetamine")
    SYNTHETIC_CATHINONES = "synthetic_cathinones", _("Synthetic cathinones")
    SYNTHETIC_CANNABINOIDS = "synthetic_cannabinoids", _("Synthetic cannabinoids")
    NPS = "nps", _("New psychoactive substances")
    ACETIC_ANHYDRIDE = "acetic_anhydride", _("Precursor: acetic anhydride")
    OTHER_PRECURSOR = "other_precursor", _("Precursor: other")
    OTHER = "other", _("Other")


class SubstanceForm(models.TextChoices):
    POWDER = "powder", _("Powder")
    TABLET = "tablet", _("Tablet")
    CRYSTAL = "crystal", _("Crystal")
    LIQUID = "liquid", _("Liquid")
    PLANT = "plant", _("Plant matter")
    OTHER = "other", _("Other")


class Unit(models.TextChoices):
    G = "g", _("g")
    KG = "kg", _("kg")
    L = "l", _("l")
    ML = "ml", _("ml")
    TABLETS = "tablets", _("tablets")
    DOSES = "doses", _("doses")


# Factor to kilograms. Litres are counted at 1 kg/l (the convention of seizure
# statistics for liquid precursors); tablets and doses have no mass equivalent.
KG_FACTORS: dict[str, Decimal] = {
    Unit.G: Decimal("0.001"),
    Unit.KG: Decimal("1"),
    Unit.L: Decimal("1"),
    Unit.ML: Decimal("0.001"),
}


def kg_equivalent(quantity: Decimal | None, unit: str) -> Decimal | None:
    """Quantity in kilograms where the unit allows it, else None."""
    if quantity is None or unit not in KG_FACTORS:
        return None
    return (Decimal(quantity) * KG_FACTORS[unit]).quantize(Decimal("0.001"))


# --- records -------------------------------------------------------------------


class RecordKind(models.TextChoices):
    SEIZURE = "seizure", _("Seizure report")
    RFI = "rfi", _("Request for information")
    RESPONSE = "response", _("Response")
    ANALYSIS = "analysis", _("Analytical report")
    ALERT = "alert", _("Alert")
    BULLETIN = "bulletin", _("Bulletin")
    GENERAL = "general", _("General information")


class RecordStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ARCHIVED = "archived", _("Archived")


class TLP(models.TextChoices):
    """Traffic Light Protocol 2.0 (FIRST)."""

    CLEAR = "CLEAR", "TLP:CLEAR"
    GREEN = "GREEN", "TLP:GREEN"
    AMBER = "AMBER", "TLP:AMBER"
    AMBER_STRICT = "AMBER+STRICT", "TLP:AMBER+STRICT"
    RED = "RED", "TLP:RED"


class HandlingCode(models.TextChoices):
    H0 = "H0", _("H0: for preventing and combating crime only")
    H1 = "H1", _("H1: not for judicial proceedings without the originator's consent")
    H2 = "H2", _("H2: no further dissemination without the originator's consent")
    H3 = "H3", _("H3: other restrictions (see text)")


class Classification(models.TextChoices):
    UNCLASSIFIED = "unclassified", _("Unclassified")
    RESTRICTED = "restricted", _("Restricted")
    CONFIDENTIAL = "confidential", _("Confidential")
    SECRET = "secret", _("Secret")


class Reliability(models.TextChoices):
    """Admiralty scale: reliability of the source."""

    A = "A", _("A: completely reliable")
    B = "B", _("B: usually reliable")
    C = "C", _("C: fairly reliable")
    D = "D", _("D: not usually reliable")
    E = "E", _("E: unreliable")
    F = "F", _("F: reliability cannot be judged")


class Credibility(models.TextChoices):
    """Admiralty scale: credibility of the information."""

    C1 = "1", _("1: confirmed by other sources")
    C2 = "2", _("2: probably true")
    C3 = "3", _("3: possibly true")
    C4 = "4", _("4: doubtful")
    C5 = "5", _("5: improbable")
    C6 = "6", _("6: truth cannot be judged")


# --- seizures --------------------------------------------------------------------


class PlaceType(models.TextChoices):
    BORDER_CROSSING = "border", _("Border crossing")
    AIRPORT = "airport", _("Airport")
    SEAPORT = "seaport", _("Seaport")
    RAIL = "rail", _("Rail")
    ROAD = "road", _("Road")
    POSTAL_HUB = "postal", _("Postal hub")
    INLAND = "inland", _("Inland")


class TransportMode(models.TextChoices):
    ROAD = "road", _("Road")
    RAIL = "rail", _("Rail")
    AIR = "air", _("Air")
    SEA = "sea", _("Sea")
    POST = "post", _("Post / courier")
    FOOT = "foot", _("On foot")
    OTHER = "other", _("Other")


class ConcealmentMethod(models.TextChoices):
    BODY = "body", _("On or in the body")
    LUGGAGE = "luggage", _("Luggage")
    VEHICLE_CAVITY = "vehicle_cavity", _("Vehicle hidden compartment")
    CARGO = "cargo", _("Mixed with legitimate cargo")
    PARCEL = "parcel", _("Parcel or letter")
    CONTAINER = "container", _("Container")
    FOODSTUFF = "foodstuff", _("Inside foodstuff")
    OTHER = "other", _("Other")


# --- identifiers -------------------------------------------------------------------


class IdentifierKind(models.TextChoices):
    PERSON = "person", _("Person (name and date of birth)")
    PASSPORT = "passport", _("Passport")
    PHONE = "phone", _("Phone (MSISDN)")
    IMEI = "imei", _("Phone (IMEI)")
    PLATE = "plate", _("Vehicle plate")
    VIN = "vin", _("VIN")
    CONTAINER = "container", _("Container number")
    WAYBILL = "waybill", _("Waybill")
    COMPANY = "company", _("Company")
    VESSEL_IMO = "imo", _("Vessel IMO")
    IBAN = "iban", _("IBAN")
    WALLET = "wallet", _("Crypto wallet")


# --- requests for information --------------------------------------------------------


class Urgency(models.TextChoices):
    URGENT = "urgent", _("Urgent (8 hours)")
    THREE_DAYS = "3days", _("3 days")
    STANDARD = "standard", _("Standard (7 days)")
    DATE = "date", _("By a given date")


URGENCY_HOURS: dict[str, int] = {Urgency.URGENT: 8, Urgency.THREE_DAYS: 72, Urgency.STANDARD: 7 * 24}


class RFIStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ANSWERED = "answered", _("Answered")
    PARTLY_ANSWERED = "partly", _("Partly answered")
    REFUSED = "refused", _("Refused")
    CLOSED = "closed", _("Closed")


# --- handling rules ------------------------------------------------------------------
# How restrictive each marking is, least first: a change to a higher rank is an
# upgrade (always allowed to the originator), to a lower rank a downgrade (needs a
# reason, and every recipient state is told). intel.handling applies them.

TLP_RANK: dict[str, int] = {TLP.CLEAR: 0, TLP.GREEN: 1, TLP.AMBER: 2, TLP.AMBER_STRICT: 3, TLP.RED: 4}
HANDLING_RANK: dict[str, int] = {HandlingCode.H0: 0, HandlingCode.H1: 1, HandlingCode.H2: 2, HandlingCode.H3: 3}
CLASSIFICATION_RANK: dict[str, int] = {
    Classification.UNCLASSIFIED: 0,
    Classification.RESTRICTED: 1,
    Classification.CONFIDENTIAL: 2,
    Classification.SECRET: 3,
}

# TLP levels a recipient may never pass on (FIRST TLP 2.0: AMBER and AMBER+STRICT go
# to the chosen recipients only, RED to the named ones only).
TLP_NO_ONWARD = frozenset({TLP.AMBER, TLP.AMBER_STRICT, TLP.RED})


def handling_notice(code: str, note: str = "") -> str:
    """The caveat a record's handling code puts on every copy of it (page, API, export,
    report file): H1 forbids use as evidence without the originator's permission, H2
    onward sharing, H3 carries its own conditions. Empty for H0."""
    if code == HandlingCode.H1:
        return str(_("Not for use as evidence without the originator's permission."))
    if code == HandlingCode.H2:
        return str(_("Not to be shared onward without the originator's consent."))
    if code == HandlingCode.H3:
        return str(_("Handling conditions: %(conditions)s")) % {"conditions": note or "-"}
    return ""
