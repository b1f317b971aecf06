"""Links between records show only what the viewer may see (issue 10, item 6): a hidden
record is neither named nor counted, on the record page and in the API."""

import pytest

from intel import services
from tests.intel.conftest import MARKINGS

pytestmark = pytest.mark.django_db


def make_rfi(author, addressees):
    return services.create_rfi(
        user=author,
        fields={"title": "Owner of a lorry", **MARKINGS},
        addressees=addressees,
        purpose="Case 12",
        legal_basis="Agreement",
        questions=["Who owns it?"],
    )


def answer(officer, rfi, outcome="answered"):
    return services.respond(user=officer, rfi_record=rfi, fields={"title": "Owner found", **MARKINGS}, outcome=outcome)


@pytest.fixture
def thread(officer_kz, officer_uz, uz):
    """Kazakhstan asks Uzbekistan; Uzbekistan answers, then shares its answer onward with Kyrgyzstan."""
    rfi = make_rfi(officer_kz, [uz])
    reply = answer(officer_uz, rfi)
    return rfi, reply


def test_a_reply_shared_onward_does_not_name_the_request_it_answers(thread, officer_uz, officer_kg, kg, client_for):
    rfi, reply = thread
    services.set_dissemination(user=officer_uz, record=reply, states=[kg, *reply.shared_states()])
    page = client_for(officer_kg).get(reply.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert rfi.reference not in text
    assert f"/intel/records/{rfi.pk}/" not in text


def test_the_requester_gets_in_reply_to_in_the_api(thread, officer_kz, api_for):
    rfi, reply = thread
    assert api_for(officer_kz).get(f"/api/v1/intel/records/{reply.pk}/").json()["in_reply_to"] == rfi.pk


def test_in_reply_to_is_null_for_kyrgyzstan(thread, officer_uz, officer_kg, kg, api_for):
    rfi, reply = thread
    services.set_dissemination(user=officer_uz, record=reply, states=[kg, *reply.shared_states()])
    detail = api_for(officer_kg).get(f"/api/v1/intel/records/{reply.pk}/")
    assert detail.status_code == 200
    assert detail.json()["in_reply_to"] is None
    assert str(rfi.reference) not in detail.content.decode()


def test_answers_hidden_from_an_addressee_are_neither_listed_nor_counted(
    officer_kz, officer_uz, officer_kg, uz, kg, client_for, api_for
):
    rfi = make_rfi(officer_kz, [uz, kg])
    reply = answer(officer_uz, rfi)  # shared with Kazakhstan only
    page = client_for(officer_kg).get(rfi.get_absolute_url()).content.decode()
    assert reply.reference not in page
    listed = api_for(officer_kg).get(f"/api/v1/intel/rfis/{rfi.pk}/").json()
    assert reply.pk not in (listed.get("rfi") or listed).get("responses", [])
    # The requester sees the answer.
    assert reply.reference in client_for(officer_kz).get(rfi.get_absolute_url()).content.decode()


def test_the_requester_still_sees_the_link(thread, officer_kz, client_for):
    rfi, reply = thread
    assert rfi.reference in client_for(officer_kz).get(reply.get_absolute_url()).content.decode()


def test_the_answers_cost_the_same_queries_however_many(officer_kz, officer_uz, uz, kg, client_for, api_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import UserFactory

    def count(rfi):
        client, api = client_for(officer_kz), api_for(officer_kz)
        with CaptureQueriesContext(connection) as page:
            assert client.get(rfi.get_absolute_url()).status_code == 200
        with CaptureQueriesContext(connection) as detail:
            assert api.get(f"/api/v1/intel/records/{rfi.pk}/").status_code == 200
        return len(page), len(detail)

    one = make_rfi(officer_kz, [uz])
    answer(officer_uz, one, "partly")
    many = make_rfi(officer_kz, [uz, kg])
    answer(officer_uz, many, "partly")
    officer_kg2 = UserFactory(username="officer-kg-2", state=kg, roles=["Liaison officer"])
    answer(officer_kg2, many)
    count(one)  # warm the per-process caches (permission ids, state options)
    assert count(one) == count(many)
