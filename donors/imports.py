"""CSV import of exchange rates: all rows or none."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.changes import announce

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
    if not rows:
        return 0, 0
    # A constant number of queries whatever the file's length (not two per line):
    # the existing rates of the file's currencies and date range, then one bulk
    # insert and one bulk update, each with its history rows.
    dates = [on for _currency, on in rows]
    with transaction.atomic():
        existing = {
            (rate.currency, rate.date): rate
            for rate in ExchangeRate.objects.select_for_update().filter(
                currency__in={currency for currency, _on in rows}, date__range=(min(dates), max(dates))
            )
        }
        to_create, to_update = [], []
        for key, (rate, source) in rows.items():
            if key in existing:
                obj = existing[key]
                obj.rate_to_usd, obj.source = rate, source
                to_update.append(obj)
            else:
                to_create.append(ExchangeRate(currency=key[0], date=key[1], rate_to_usd=rate, source=source))
        if to_create:
            created = bulk_create_with_history(to_create, ExchangeRate, batch_size=500)
            announce(ExchangeRate, [rate.pk for rate in created])
        if to_update:
            now = timezone.now()
            for rate in to_update:
                rate.updated_at = now  # bulk_update does not stamp auto_now fields
            bulk_update_with_history(to_update, ExchangeRate, ["rate_to_usd", "source", "updated_at"], batch_size=500)
            announce(ExchangeRate, [rate.pk for rate in to_update])
    return len(to_create), len(to_update)
