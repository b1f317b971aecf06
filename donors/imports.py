"""CSV import of exchange rates: all rows or none."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import ExchangeRate
from .money import validate_currency

MAX_ROWS = 20_000


def import_rates(raw: bytes) -> tuple[int, int]:
    """Create or update rates from CSV bytes; return (created, updated).

    Raises ValidationError listing every bad line; then nothing is saved.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(_("The file is not UTF-8 text.")) from exc
    reader = csv.DictReader(io.StringIO(text))
    fields = {(f or "").strip().lower() for f in reader.fieldnames or []}
    rate_column = "rate_to_usd" if "rate_to_usd" in fields else "rate"
    if not {"currency", "date", rate_column} <= fields:
        raise ValidationError(_("The first line must name the columns currency, date and rate_to_usd."))
    rows: dict[tuple[str, date], tuple[Decimal, str]] = {}
    errors: list[str] = []
    for number, raw_row in enumerate(reader, start=2):
        if number > MAX_ROWS:
            errors.append(_("Too many lines (at most %(n)s).") % {"n": MAX_ROWS})
            break
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw_row.items()}
        currency = row.get("currency", "").upper()
        try:
            validate_currency(currency)
            on = date.fromisoformat(row.get("date", ""))
            rate = Decimal(row.get(rate_column, ""))
            if not rate.is_finite() or rate <= 0 or rate >= 10**10:
                raise InvalidOperation
            rate = rate.quantize(Decimal("0.0000000001"))
        except ValidationError as exc:
            errors.append(_("Line %(n)s: %(error)s") % {"n": number, "error": " ".join(exc.messages)})
            continue
        except ValueError:
            errors.append(_("Line %(n)s: the date must be YYYY-MM-DD.") % {"n": number})
            continue
        except InvalidOperation:
            errors.append(_("Line %(n)s: the rate must be a positive number below 10 000 000 000.") % {"n": number})
            continue
        rows[(currency, on)] = (rate, row.get("source", "")[:100])
    if errors:
        raise ValidationError(errors)
    created = updated = 0
    with transaction.atomic():
        for (currency, on), (rate, source) in rows.items():
            _obj, was_created = ExchangeRate.objects.update_or_create(
                currency=currency, date=on, defaults={"rate_to_usd": rate, "source": source}
            )
            created += was_created
            updated += not was_created
    return created, updated
