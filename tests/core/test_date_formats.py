"""One date format per language (caricc_portal/formats): day-month-year and a 24-hour clock."""

from datetime import date, datetime

from django.utils import translation
from django.utils.formats import date_format, number_format


def test_russian_dates_are_built_like_the_english_ones():
    day, moment = date(2026, 12, 2), datetime(2026, 12, 2, 9, 5)
    with translation.override("ru"):
        assert date_format(day) == "2 декабря 2026"
        assert date_format(day, "SHORT_DATE_FORMAT") == "02.12.2026"
        assert date_format(moment, "DATETIME_FORMAT") == "2 декабря 2026, 09:05"
        assert number_format(3400000, decimal_pos=2, use_l10n=True, force_grouping=True) == "3\xa0400\xa0000,00"
    with translation.override("en"):
        assert date_format(day) == "2 December 2026"
        assert date_format(day, "SHORT_DATE_FORMAT") == "2 Dec 2026"
        assert date_format(moment, "DATETIME_FORMAT") == "2 December 2026, 09:05"
        assert date_format(moment, "SHORT_DATETIME_FORMAT") == "2 Dec 2026, 09:05"
