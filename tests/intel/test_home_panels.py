"""Home page cards: counts come from visible_to, per user."""

import pytest

pytestmark = pytest.mark.django_db


def panels(client):
    return {str(p["title"]): p.get("value") for p in client.get("/").context["panels"]}


def test_an_officer_sees_the_unread_count_of_the_inbox(officer_kz, officer_uz, officer_kg, uz, make_record, client_for):
    record = make_record(officer_kz, recipients=[uz])
    make_record(officer_kz)
    assert panels(client_for(officer_uz))["Information exchange"] == 1
    client_for(officer_uz).get(record.get_absolute_url())
    assert panels(client_for(officer_uz))["Information exchange"] == 0
    assert panels(client_for(officer_kg))["Information exchange"] == 0


def test_the_centre_sees_open_requests(officer_kz, uz, coordinator, client_for):
    from intel import services

    from .conftest import MARKINGS

    services.create_rfi(
        user=officer_kz,
        fields={"title": "Q", **MARKINGS},
        addressees=[uz],
        purpose="p",
        legal_basis="l",
        questions=["q"],
    )
    assert panels(client_for(coordinator))["Requests for information"] == 1
