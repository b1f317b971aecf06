"""Every read path answers only from visible_to(user): lists, inbox, search, detail,
attachments, who-viewed and hits, in the UI and the API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from intel import services
from intel.vocabularies import IdentifierKind

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def bilateral(officer_kz, uz, make_seizure):
    """A seizure report of Kazakhstan shared with Uzbekistan only, with a file and an identifier."""
    record = make_seizure(
        officer_kz,
        recipients=[uz],
        title="Bilateral heroin case",
        body="Zebracrossword courier",
        identifiers=[{"kind": IdentifierKind.PLATE, "value": "01 KZ 777 ABA"}],
    )
    services.add_attachment(
        user=officer_kz, record=record, upload=SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")
    )
    return record


def ui_paths(record):
    att = record.attachments.get()
    return {
        "detail": record.get_absolute_url(),
        "attachment": att.get_absolute_url(),
    }


def api_paths(record):
    att = record.attachments.get()
    return {
        "detail": f"/api/v1/intel/records/{record.pk}/",
        "seizure-detail": f"/api/v1/intel/seizures/{record.pk}/",
        "attachment": f"/api/v1/intel/records/{record.pk}/attachments/{att.pk}/",
        "who-viewed": f"/api/v1/intel/records/{record.pk}/access-log/",
        "hits": f"/api/v1/intel/records/{record.pk}/hits/",
    }


def listed_in_ui(client, record) -> dict[str, bool]:
    pages = {
        "inbox": reverse("intel:inbox"),
        "list": reverse("intel:record-list"),
        "search": reverse("intel:search") + "?q=Zebracrossword",
    }
    return {name: record.reference in client.get(url).content.decode() for name, url in pages.items()}


def listed_in_api(api, record) -> dict[str, bool]:
    urls = {
        "records": "/api/v1/intel/records/",
        "seizures": "/api/v1/intel/seizures/",
        "search": "/api/v1/intel/records/?q=Zebracrossword",
    }
    out = {}
    for name, url in urls.items():
        response = api.get(url)
        assert response.status_code == 200
        out[name] = record.pk in [r["id"] for r in response.json()["results"]]
    return out


def test_an_officer_of_a_state_not_shared_with_sees_nothing_and_gets_404(bilateral, client_for, api_for, officer_kg):
    client = client_for(officer_kg)
    assert listed_in_ui(client, bilateral) == {"inbox": False, "list": False, "search": False}
    for name, url in ui_paths(bilateral).items():
        assert client.get(url).status_code == 404, name
    api = api_for(officer_kg)
    assert listed_in_api(api, bilateral) == {"records": False, "seizures": False, "search": False}
    for name, url in api_paths(bilateral).items():
        assert api.get(url).status_code == 404, name


def test_the_recipient_sees_it_on_every_path(bilateral, client_for, api_for, officer_uz):
    client = client_for(officer_uz)
    assert listed_in_ui(client, bilateral) == {"inbox": True, "list": True, "search": True}
    for name, url in ui_paths(bilateral).items():
        assert client.get(url).status_code == 200, name
    api = api_for(officer_uz)
    assert listed_in_api(api, bilateral) == {"records": True, "seizures": True, "search": True}
    paths = api_paths(bilateral)
    for name in ("detail", "seizure-detail", "attachment", "hits"):
        assert api.get(paths[name]).status_code == 200, name
    # Who viewed is for the originating state and the centre's analysts, not for recipients.
    assert api.get(paths["who-viewed"]).status_code == 403


@pytest.mark.parametrize("persona", ["coordinator", "analyst"])
def test_the_centre_sees_everything(persona, request, bilateral, client_for, api_for):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    assert listed_in_ui(client, bilateral) == {"inbox": True, "list": True, "search": True}
    for name, url in ui_paths(bilateral).items():
        assert client.get(url).status_code == 200, name
    api = api_for(user)
    assert listed_in_api(api, bilateral) == {"records": True, "seizures": True, "search": True}
    for name, url in api_paths(bilateral).items():
        assert api.get(url).status_code == 200, name


def test_an_observer_sees_only_what_was_shared_with_observers_or_with_them(
    officer_kz, observer, de, make_record, api_for, client_for, uz
):
    members_only = make_record(officer_kz, shortcut=services.SHORTCUT_MEMBERS, title="Members only")
    with_observers = make_record(officer_kz, shortcut=services.SHORTCUT_MEMBERS_OBSERVERS, title="Members+observers")
    direct = make_record(officer_kz, recipients=[de], title="Directly to Germany")
    bilateral = make_record(officer_kz, recipients=[uz], title="To Uzbekistan")
    api = api_for(observer)
    seen = {r["id"] for r in api.get("/api/v1/intel/records/").json()["results"]}
    assert seen == {with_observers.pk, direct.pk}
    assert api.get(f"/api/v1/intel/records/{members_only.pk}/").status_code == 404
    assert client_for(observer).get(bilateral.get_absolute_url()).status_code == 404


def test_the_originating_state_sees_who_viewed(bilateral, officer_kz, officer_uz, client_for, api_for, analyst):
    client_for(officer_uz).get(bilateral.get_absolute_url())
    entries = api_for(officer_kz).get(f"/api/v1/intel/records/{bilateral.pk}/access-log/").json()["results"]
    assert [e["user"] for e in entries] == ["officer-uz"]
    page = client_for(officer_kz).get(bilateral.get_absolute_url()).content.decode()
    assert 'data-testid="who-viewed"' in page and "officer-uz" in page
    assert 'data-testid="who-viewed"' not in client_for(officer_uz).get(bilateral.get_absolute_url()).content.decode()
    assert api_for(analyst).get(f"/api/v1/intel/records/{bilateral.pk}/access-log/").status_code == 200


def test_a_partner_token_of_kazakhstan_acts_as_kazakhstan(partner_api, bilateral, officer_kg, make_record, kg):
    foreign = make_record(officer_kg, title="Kyrgyz record, not shared")
    ids = {r["id"] for r in partner_api.get("/api/v1/intel/records/").json()["results"]}
    assert bilateral.pk in ids and foreign.pk not in ids
    assert partner_api.get(f"/api/v1/intel/records/{foreign.pk}/").status_code == 404
