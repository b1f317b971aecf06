"""Record page actions in the UI: answer a request, acknowledge, edit, archive."""

import pytest

from intel import services
from intel.models import IntelRecord

from .conftest import MARKINGS

pytestmark = pytest.mark.django_db


@pytest.fixture
def rfi(officer_kz, uz):
    return services.create_rfi(
        user=officer_kz,
        fields={"title": "Who owns the lorry?", **MARKINGS},
        addressees=[uz],
        purpose="Investigation",
        legal_basis="Agreement",
        questions=["Owner?", "Route?"],
    )


def test_an_addressee_acknowledges_and_answers_in_the_ui(rfi, officer_uz, officer_kz, client_for):
    client = client_for(officer_uz)
    page = client.get(rfi.get_absolute_url()).content.decode()
    assert "Owner?" in page and "Route?" in page
    client.post(f"/intel/records/{rfi.pk}/rfi/acknowledge/")
    rfi.rfi.refresh_from_db()
    assert rfi.rfi.status == "acknowledged"
    response = client.post(
        f"/intel/records/{rfi.pk}/respond/", {"title": "The owner is known", **MARKINGS, "outcome": "partly"}
    )
    answer = IntelRecord.objects.get(kind="response")
    assert response.status_code == 302 and response.url == answer.get_absolute_url()
    rfi.rfi.refresh_from_db()
    assert rfi.rfi.status == "partly"
    thread = client_for(officer_kz).get(rfi.get_absolute_url()).content.decode()
    assert answer.reference in thread


def test_the_requester_cannot_answer_its_own_request(rfi, officer_kz, client_for):
    assert client_for(officer_kz).get(f"/intel/records/{rfi.pk}/respond/").status_code == 403
    response = client_for(officer_kz).post(
        f"/intel/records/{rfi.pk}/respond/", {"title": "x", **MARKINGS, "outcome": "answered"}
    )
    assert response.status_code == 403
    assert not IntelRecord.objects.filter(kind="response").exists()


def test_only_the_originator_edits_and_others_get_403_or_404(
    officer_kz, officer_uz, officer_kg, uz, make_record, client_for
):
    record = make_record(officer_kz, recipients=[uz], title="Original")
    data = {"title": "Changed", **MARKINGS, "status": "archived"}
    assert client_for(officer_kg).post(f"/intel/records/{record.pk}/edit/", data).status_code == 404
    assert client_for(officer_uz).post(f"/intel/records/{record.pk}/edit/", data).status_code == 403
    record.refresh_from_db()
    assert record.title == "Original"
    assert client_for(officer_kz).post(f"/intel/records/{record.pk}/edit/", data).status_code == 302
    record.refresh_from_db()
    assert (record.title, record.status) == ("Changed", "archived")
    assert record.history.count() == 2
