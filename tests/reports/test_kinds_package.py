"""The kinds package: one registry, markings from intel's vocabularies, each report computed once per build."""

from __future__ import annotations

import pytest

from intel.vocabularies import TLP, Classification
from reports import kinds
from reports.kinds.base import highest, tlp_label
from tests.reports.conftest import PERIOD

pytestmark = pytest.mark.django_db


def test_the_registry_holds_one_instance_per_report_kind():
    from reports.choices import ReportKind

    assert set(kinds.KINDS) == set(ReportKind.values)
    assert all(kinds.get_kind(code).code == code for code in ReportKind.values)


def test_markings_rank_as_intel_declares_them():
    assert highest(["GREEN", "RED", "AMBER"], TLP) == "RED"
    assert highest(["AMBER+STRICT", "AMBER"], TLP) == "AMBER+STRICT"
    assert highest(["restricted", "secret", "unclassified"], Classification) == "secret"
    assert highest([], TLP) == highest(["bogus"], Classification) == ""
    assert tlp_label("AMBER+STRICT") == "TLP:AMBER+STRICT" and tlp_label("") == ""


@pytest.mark.parametrize(
    ("code", "who", "module", "name"),
    [
        ("seizure_statistics", "officer_kz", kinds.SeizureStatistics, "_grouped"),
        ("rfi_compliance", "officer_kz", kinds.RFICompliance, "_pairs"),
        ("funding_status", "coordinator", kinds.donors, "funding_summary"),
    ],
)
def test_an_aggregate_report_is_computed_once_per_build_not_again_to_count_it(
    build, seizures, code, who, module, name, request, monkeypatch
):
    """The query (or the dashboard summary) that builds the table runs once, for the rows and the count."""
    original = getattr(module, name)
    calls = []

    def counted(*args, **kwargs):
        calls.append(name)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    report = build(request.getfixturevalue(who), code, PERIOD, "csv")
    assert report.status == "succeeded"
    assert calls == [name]  # PERIOD lies in one year: one funding summary
