"""Hit/no-hit: visible matches by reference, hidden ones only as "held by <state>: N"."""

import pytest

from intel.models import IdentifierStopWord, IntelRecord, RequestForInformation
from intel.vocabularies import IdentifierKind

pytestmark = pytest.mark.django_db

PLATE = [{"kind": IdentifierKind.PLATE, "value": "01 KZ 777 ABA"}]


@pytest.fixture
def records(officer_kz, officer_kg, officer_uz, uz, make_record):
    mine = make_record(officer_uz, title="Uzbek record", identifiers=[{"kind": "plate", "value": "01kz-777-aba"}])
    hidden = [
        make_record(officer_kg, title="SECRET KYRGYZ TITLE one", body="hidden body", identifiers=PLATE),
        make_record(officer_kg, title="SECRET KYRGYZ TITLE two", identifiers=PLATE),
    ]
    shared = make_record(officer_kz, recipients=[uz], title="Kazakh record shared", identifiers=PLATE)
    return mine, hidden, shared


def test_a_hit_shows_only_the_originating_state_and_a_count(records, api_for, client_for, officer_uz):
    mine, hidden, shared = records
    hits = api_for(officer_uz).get(f"/api/v1/intel/records/{mine.pk}/hits/").json()
    assert len(hits) == 1
    assert [v["id"] for v in hits[0]["visible"]] == [shared.pk]
    assert hits[0]["held_elsewhere"] == [{"state": "KG", "count": 2}]
    page = client_for(officer_uz).get(mine.get_absolute_url()).content.decode()
    assert "held by Kyrgyzstan: 2 records" in page
    for record in hidden:
        assert record.reference not in page
        assert record.title not in page
    assert "hidden body" not in page
    assert "SECRET" not in str(hits)


def test_a_stop_listed_value_is_not_matched(records, api_for, officer_uz):
    mine, _hidden, _shared = records
    IdentifierStopWord.objects.create(kind=IdentifierKind.PLATE, normalised="01KZ777ABA")
    hits = api_for(officer_uz).get(f"/api/v1/intel/records/{mine.pk}/hits/").json()
    assert hits[0]["stop_listed"] is True
    assert hits[0]["visible"] == [] and hits[0]["held_elsewhere"] == []


def test_request_access_sends_a_request_for_information_to_the_holder(records, client_for, officer_uz, officer_kg):
    mine, _hidden, _shared = records
    ident = mine.identifiers.get()
    response = client_for(officer_uz).post(f"/intel/records/{mine.pk}/identifiers/{ident.pk}/request-access/KG/")
    rfi = RequestForInformation.objects.get()
    assert response.status_code == 302 and response.url == rfi.record.get_absolute_url()
    assert list(rfi.addressees.values_list("code", flat=True)) == ["KG"]
    assert IntelRecord.objects.visible_to(officer_kg).filter(pk=rfi.record_id).exists()


def test_request_access_is_refused_for_a_state_that_holds_nothing(records, client_for, officer_uz, ru):
    mine, _hidden, _shared = records
    ident = mine.identifiers.get()
    client_for(officer_uz).post(f"/intel/records/{mine.pk}/identifiers/{ident.pk}/request-access/RU/")
    assert not RequestForInformation.objects.exists()


def test_person_identifiers_match_on_name_and_date_of_birth(officer_kz, officer_kg, make_record, api_for):
    import datetime

    a = make_record(
        officer_kz, identifiers=[{"kind": "person", "value": "Ivanov Ivan", "date_of_birth": datetime.date(1980, 1, 2)}]
    )
    make_record(
        officer_kg,
        identifiers=[{"kind": "person", "value": "IVANOV  IVAN", "date_of_birth": datetime.date(1980, 1, 2)}],
    )
    make_record(
        officer_kg, identifiers=[{"kind": "person", "value": "Ivanov Ivan", "date_of_birth": datetime.date(1990, 5, 5)}]
    )
    hits = api_for(officer_kz).get(f"/api/v1/intel/records/{a.pk}/hits/").json()
    assert hits[0]["held_elsewhere"] == [{"state": "KG", "count": 1}]
