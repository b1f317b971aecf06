"""Validation at the door, shared by every form, serializer and model.

One place decides what an ISO country code is, how far in the future an event
may be dated (clock skew only) and which years a report period may cover, so
the UI, the API and the models refuse the same values with the same words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .iso3166 import COUNTRY_CODES


def validate_country_code(value: str) -> None:
    """An ISO 3166-1 alpha-2 code of a country that exists, in capitals ("KZ"; not "ZZ", not "kz")."""
    if value not in COUNTRY_CODES:
        raise ValidationError(
            _("%(value)s is not an ISO 3166-1 alpha-2 country code."), code="country_code", params={"value": value}
        )


def validate_country_codes(values: Iterable[str]) -> None:
    """Every item of a list is an ISO country code; the message names the bad ones."""
    bad = [str(v) for v in values if not isinstance(v, str) or v not in COUNTRY_CODES]
    if bad:
        raise ValidationError(
            _("Not ISO 3166-1 alpha-2 country codes: %(codes)s."), code="country_code", params={"codes": ", ".join(bad)}
        )


def future_allowance() -> dt.timedelta:
    """How far past now an event may be dated: a clock-skew allowance (EVENT_DATE_SKEW_HOURS, default 24)."""
    return dt.timedelta(hours=getattr(settings, "EVENT_DATE_SKEW_HOURS", 24))


def validate_not_future(value: dt.date | dt.datetime | None) -> None:
    """An event (seizure, arrest...) that happened: not later than now plus the skew allowance."""
    if value is None:
        return
    limit = timezone.now() + future_allowance()
    if isinstance(value, dt.datetime):
        too_late = (value if timezone.is_aware(value) else timezone.make_aware(value)) > limit
    else:
        too_late = value > timezone.localtime(limit).date()
    if too_late:
        raise ValidationError(_("The date cannot be in the future."), code="future_date")


def data_years() -> tuple[int, int]:
    """The years the portal holds data for: DATA_FIRST_YEAR (default 2000) to the current year."""
    return getattr(settings, "DATA_FIRST_YEAR", 2000), timezone.localdate().year


def validate_data_year(value: dt.date | None) -> None:
    """A date that lies within the data's years (a report period of 9990-9999 is refused)."""
    if value is None:
        return
    first, last = data_years()
    if not first <= value.year <= last:
        raise ValidationError(
            _("Choose a date between %(first)s and %(last)s."),
            code="data_year",
            params={"first": first, "last": last},
        )
