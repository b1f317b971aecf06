"""Report files carry the handling code's caveat with every record (issue 10, item 3):
H1 "not for use as evidence without the originator's permission", H3's own conditions."""

import pytest

from intel.models import IntelRecord
from tests.reports.conftest import PERIOD, make_seizure, read_csv

pytestmark = pytest.mark.django_db


def test_the_seizure_register_carries_the_handling_notice(build, officer_kz, kz):
    h1 = make_seizure(officer_kz, kz, title="H1 seizure")
    IntelRecord.objects.filter(pk=h1.pk).update(handling_code="H1")
    h3 = make_seizure(officer_kz, kz, title="H3 seizure")
    IntelRecord.objects.filter(pk=h3.pk).update(handling_code="H3", handling_note="Task force Alpha only")
    report = build(officer_kz, "seizure_register", PERIOD, "csv")
    assert report.status == "succeeded", report.error
    rows = read_csv(report)
    assert rows[0][-1] == "Handling notice"
    notices = {row[0]: row[-1] for row in rows[1:]}
    assert notices[h1.reference] == "Not for use as evidence without the originator's permission."
    assert notices[h3.reference] == "Handling conditions: Task force Alpha only"
