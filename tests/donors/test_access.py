"""Donor data is for donor relations, coordinators and administrators; nobody else sees any of it."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from donors.models import Agreement, BudgetLine, Donor, Payment, Pledge, ReportingObligation

from .conftest import DonorFactory, make_pledge

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(db):
    donor = DonorFactory(name="Government of Germany")
    secret = DonorFactory(name="Quiet Benefactor", confidential=True, type="private", country="")
    pledge = make_pledge(donor, amount="1000.00")
    secret_pledge = make_pledge(secret, amount="500.00")
    agreement = Agreement.objects.create(pledge=pledge, reference="AG-1", signed_on=date(2026, 5, 1))
    ReportingObligation.objects.create(agreement=agreement, kind="financial", due_on=date(2026, 12, 31))
    payment = Payment.objects.create(pledge=pledge, value_date=date(2026, 6, 1), amount=Decimal("10"), currency="USD")
    secret_payment = Payment.objects.create(
        pledge=secret_pledge, value_date=date(2026, 6, 1), amount=Decimal("10"), currency="USD"
    )
    BudgetLine.objects.create(year=2026, category="staff", description="Staff", amount_usd=Decimal("5000"))
    return {
        "donor": donor,
        "secret": secret,
        "pledge": pledge,
        "secret_pledge": secret_pledge,
        "agreement": agreement,
        "payment": payment,
        "secret_payment": secret_payment,
    }


def ui_pages(d):
    return [
        reverse("donors:donor-list"),
        reverse("donors:donor-create"),
        reverse("donors:donor-detail", args=[d["donor"].pk]),
        reverse("donors:donor-update", args=[d["donor"].pk]),
        reverse("donors:pledge-list"),
        reverse("donors:pledge-create"),
        reverse("donors:pledge-detail", args=[d["pledge"].pk]),
        reverse("donors:pledge-update", args=[d["pledge"].pk]),
        reverse("donors:payment-create", args=[d["pledge"].pk]),
        reverse("donors:agreement-create", args=[d["pledge"].pk]),
        reverse("donors:obligation-create", args=[d["agreement"].pk]),
        reverse("donors:pledge-export", args=["csv"]),
        reverse("donors:pledge-export", args=["xlsx"]),
        reverse("donors:overdue"),
        reverse("donors:dashboard"),
        reverse("donors:rate-list"),
        reverse("donors:rate-import"),
        reverse("donors:budget-list"),
        reverse("donors:event-list"),
    ]


def api_endpoints(d):
    return [
        "/api/v1/donors/",
        f"/api/v1/donors/{d['donor'].pk}/",
        "/api/v1/pledges/",
        f"/api/v1/pledges/{d['pledge'].pk}/",
        "/api/v1/payments/",
        f"/api/v1/payments/{d['payment'].pk}/",
        "/api/v1/funding/summary/?year=2026",
    ]


@pytest.mark.parametrize("persona", ["officer_kz", "observer", "partner_kz", "analyst"])
def test_outsiders_get_404_from_every_donor_page(request, client_for, data, persona):
    client = client_for(request.getfixturevalue(persona))
    for url in ui_pages(data):
        assert client.get(url).status_code == 404, url
    response = client.post(
        reverse("donors:payment-create", args=[data["pledge"].pk]),
        {"value_date": "2026-06-01", "amount": "1", "currency": "USD"},
    )
    assert response.status_code == 404
    assert Payment.objects.count() == 2


def test_a_liaison_officer_gets_404_from_every_endpoint(api_for, officer_kz, data):
    api = api_for(officer_kz)
    for url in api_endpoints(data):
        assert api.get(url).status_code == 404, url
    assert api.post("/api/v1/donors/", {"name": "X", "type": "private"}, format="json").status_code == 404
    assert Donor.objects.count() == 2


def test_a_partner_token_gets_404_from_every_endpoint(partner_api, data):
    for url in api_endpoints(data):
        response = partner_api.get(url)
        assert response.status_code == 404, url
        assert "Government of Germany" not in response.content.decode()
    response = partner_api.post(
        "/api/v1/payments/",
        {"pledge": data["pledge"].pk, "value_date": "2026-06-01", "amount": "1", "currency": "USD"},
        format="json",
    )
    assert response.status_code == 404
    assert Payment.objects.count() == 2


def test_models_answer_nothing_to_outsiders(officer_kz, partner_kz, data):
    for user in (officer_kz, partner_kz):
        for model in (Donor, Pledge, Payment, Agreement, ReportingObligation, BudgetLine):
            assert not model.objects.visible_to(user).exists()


def test_anonymous_is_sent_to_login(client, api_client, data):
    response = client.get(reverse("donors:donor-list"))
    assert response.status_code == 302
    assert api_client.get("/api/v1/pledges/").status_code in (401, 403)


def test_a_coordinator_reads_but_does_not_see_confidential_donors(client_for, api_for, coordinator, data):
    client = client_for(coordinator)
    body = client.get(reverse("donors:donor-list")).content.decode()
    assert "Government of Germany" in body
    assert "Quiet Benefactor" not in body
    assert client.get(reverse("donors:donor-detail", args=[data["secret"].pk])).status_code == 404
    assert client.get(reverse("donors:pledge-detail", args=[data["secret_pledge"].pk])).status_code == 404
    api = api_for(coordinator)
    assert [d["name"] for d in api.get("/api/v1/donors/").json()["results"]] == ["Government of Germany"]
    assert api.get(f"/api/v1/pledges/{data['secret_pledge'].pk}/").status_code == 404
    assert api.get(f"/api/v1/payments/{data['secret_payment'].pk}/").status_code == 404
    ids = [p["id"] for p in api.get("/api/v1/pledges/").json()["results"]]
    assert ids == [data["pledge"].pk]
    # A filter on a confidential donor's id is refused like an unknown id.
    assert api.get(f"/api/v1/pledges/?donor={data['secret'].pk}").status_code == 400


def test_a_coordinator_may_not_write(client_for, api_for, coordinator, data):
    client = client_for(coordinator)
    assert client.get(reverse("donors:pledge-create")).status_code == 403
    assert client.get(reverse("donors:payment-create", args=[data["pledge"].pk])).status_code == 403
    api = api_for(coordinator)
    assert api.post("/api/v1/donors/", {"name": "X", "type": "private"}, format="json").status_code == 403
    assert api.patch(f"/api/v1/donors/{data['donor'].pk}/", {"name": "Y"}, format="json").status_code == 403
    assert api.delete(f"/api/v1/donors/{data['donor'].pk}/").status_code in (403, 405)
    assert Donor.objects.filter(name="Government of Germany").exists()


def test_donor_relations_see_confidential_donors_and_can_write(client_for, api_for, donor_relations, data):
    client = client_for(donor_relations)
    assert "Quiet Benefactor" in client.get(reverse("donors:donor-list")).content.decode()
    assert client.get(reverse("donors:donor-detail", args=[data["secret"].pk])).status_code == 200
    api = api_for(donor_relations)
    assert len(api.get("/api/v1/pledges/").json()["results"]) == 2
    response = api.patch(f"/api/v1/donors/{data['donor'].pk}/", {"focal_points": "Ms Weber"}, format="json")
    assert response.status_code == 200
    assert api.delete(f"/api/v1/donors/{data['donor'].pk}/").status_code in (403, 405)
    assert Donor.objects.filter(pk=data["donor"].pk).exists()


def test_an_administrator_sees_everything(client_for, data):
    from tests.factories import UserFactory

    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    assert set(Donor.objects.visible_to(admin)) == {data["donor"], data["secret"]}
    assert client_for(admin).get(reverse("donors:dashboard")).status_code == 200


def test_the_navigation_shows_donors_only_to_those_who_may_use_them(client_for, officer_kz, donor_relations, data):
    url = reverse("donors:donor-list")
    assert url not in client_for(officer_kz).get("/").content.decode()
    assert url in client_for(donor_relations).get("/").content.decode()
