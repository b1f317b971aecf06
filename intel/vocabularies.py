"""Controlled vocabularies shared by intel and operations (seizures, results).

Operations imports this module (DESIGN.md allows operations -> intel); keep the
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
