"""Money helpers: Decimal only, USD as the reporting currency, rates by value date.

A missing rate is an error the person entering the data sees, never a silent 1.0:
a conversion at a guessed rate would quietly falsify every total built on it.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .choices import ISO_4217_CODES, REPORTING_CURRENCY

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def cents(value: Decimal) -> Decimal:
    """Round half up to cents, the precision every stored amount keeps."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def validate_currency(value: str) -> None:
    """An ISO 4217 alphabetic code in capitals (e.g. EUR)."""
    if value not in ISO_4217_CODES:
        raise ValidationError(
            _("%(code)s is not an ISO 4217 currency code (e.g. USD, EUR)."), params={"code": value}, code="currency"
        )


class MissingRateError(ValidationError):
    """No exchange rate is recorded for a currency on a date."""


def rate_to_usd(currency: str, on: date) -> Decimal:
    """The rate (USD per unit of `currency`) recorded for the date `on`.

    USD converts to itself at exactly 1, which is a definition, not a fallback.
    """
    if currency == REPORTING_CURRENCY:
        return Decimal(1)
    from .models import ExchangeRate

    rate = ExchangeRate.objects.filter(currency=currency, date=on).values_list("rate_to_usd", flat=True).first()
    if rate is None:
        raise MissingRateError(
            _(
                "No exchange rate for %(currency)s on %(date)s. Record the rate to USD for that date "
                "(Exchange rates page) and try again."
            ),
            params={"currency": currency, "date": date_format(on, "DATE_FORMAT")},
            code="missing_rate",
        )
    return Decimal(rate)


def to_usd(amount: Decimal, rate: Decimal) -> Decimal:
    return cents(Decimal(amount) * Decimal(rate))
