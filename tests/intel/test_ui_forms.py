"""The UI forms: a seizure report with items, bad input, search and filters."""

import pytest
from django.urls import reverse

from intel.models import IntelRecord, SeizureItem

from .conftest import MARKINGS

pytestmark = pytest.mark.django_db


def seizure_post(uz, **changes):
    data = {
        "title": "Heroin in a lorry",
        "summary": "At the border",
        **MARKINGS,
        "share_with": [uz.pk],
        "shortcut": "",
        "seizure-occurred_at": "2026-11-20T10:30",
        "seizure-country": "KZ",
        "seizure-place": "Zhibek Zholy",
        "seizure-place_type": "border",
        "seizure-transit": "tj, UZ",
        "seizure-persons_arrested": "1",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "1",
        "items-MAX_NUM_FORMS": "50",
        "items-0-substance": "heroin",
        "items-0-form": "powder",
        "items-0-quantity": "12.5",
        "items-0-unit": "kg",
        "items-1-substance": "",
        "ident-TOTAL_FORMS": "1",
        "ident-INITIAL_FORMS": "0",
        "ident-0-kind": "plate",
        "ident-0-value": "01 KZ 777 ABA",
    }
    data.update(changes)
    return data


def test_an_officer_files_a_seizure_report_through_the_form(officer_kz, officer_uz, uz, client_for):
    response = client_for(officer_kz).post(reverse("intel:seizure-create"), seizure_post(uz))
    record = IntelRecord.objects.get()
    assert response.status_code == 302 and response.url == record.get_absolute_url()
    assert record.kind == "seizure" and record.originating_state.code == "KZ"
    assert record.seizure.route_transit == ["TJ", "UZ"]
    assert [(i.substance, str(i.kg_equivalent)) for i in SeizureItem.objects.all()] == [("heroin", "12.500")]
    assert record.identifiers.get().normalised == "01kz777aba"
    assert sorted(record.shared_states().values_list("code", flat=True)) == ["KZ", "UZ"]


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"items-0-substance": "unobtainium"}, "items"),
        ({"items-0-quantity": "-3"}, "items"),
        ({"items-0-unit": ""}, "items"),
        ({"items-0-substance": "", "items-0-form": "", "items-0-quantity": "", "items-0-unit": ""}, "items"),
        ({"tlp": ""}, "form"),
        ({"handling_code": "H3", "handling_note": ""}, "form"),
        ({"seizure-place_type": "moon"}, "seizure_form"),
    ],
    ids=["unknown substance", "negative quantity", "no unit", "no item", "no tlp", "H3 without text", "bad place"],
)
def test_bad_input_shows_errors_and_saves_nothing(officer_kz, uz, client_for, changes, where):
    response = client_for(officer_kz).post(reverse("intel:seizure-create"), seizure_post(uz, **changes))
    assert response.status_code == 200
    ctx = response.context[where]
    has_errors = (
        any(f.errors for f in ctx.forms) or bool(ctx.non_form_errors()) if where == "items" else bool(ctx.errors)
    )
    assert has_errors
    assert not IntelRecord.objects.exists() and not SeizureItem.objects.exists()


def test_a_recipient_or_centre_user_cannot_open_the_forms(coordinator, client_for):
    assert client_for(coordinator).get(reverse("intel:seizure-create")).status_code == 403


def test_search_and_filters(officer_kz, officer_uz, uz, make_seizure, make_record, client_for):
    a = make_seizure(officer_kz, recipients=[uz], title="Opium on the railway", tlp="RED")
    b = make_record(
        officer_kz,
        recipients=[uz],
        title="Alert about couriers",
        kind="alert",
        identifiers=[{"kind": "phone", "value": "+7 701 555 12 34"}],
    )
    client = client_for(officer_uz)

    def refs(query):
        page = client.get(reverse("intel:search") + query)
        return {r.pk for r in page.context["records"]}

    assert refs("?q=railway") == {a.pk}
    assert refs("?q=77015551234") == {b.pk}
    assert refs("?kind=alert") == {b.pk}
    assert refs("?tlp=RED") == {a.pk}
    assert refs("?substance=heroin") == {a.pk}
    assert refs("?substance=cocaine") == set()
    assert refs("?state=KZ") == {a.pk, b.pk}
    assert refs("?created_after=2000-01-01") == {a.pk, b.pk}
    assert refs("?created_before=2000-01-01") == set()


def test_the_inbox_marks_unread_records(officer_kz, officer_uz, uz, make_record, client_for):
    record = make_record(officer_kz, recipients=[uz])
    client = client_for(officer_uz)
    assert [r.is_read for r in client.get(reverse("intel:inbox")).context["records"]] == [False]
    client.get(record.get_absolute_url())
    assert [r.is_read for r in client.get(reverse("intel:inbox")).context["records"]] == [True]


def test_keyset_pages_walk_the_whole_list(officer_kz, make_record, client_for):
    made = [make_record(officer_kz, title=f"R{i}").pk for i in range(7)]
    client = client_for(officer_kz)
    seen, url = [], reverse("intel:my-records") + "?page_size=3"
    while url:
        page = client.get(url if url.startswith("/") else reverse("intel:my-records") + url)
        seen += [r.pk for r in page.context["records"]]
        url = page.context["next_url"]
    assert seen == sorted(made, reverse=True)


def test_countries_are_picked_by_name_and_transit_accepts_names_or_codes_in_any_case():
    from django.utils import translation

    from intel.forms import SeizureForm, country_code_for

    assert country_code_for("kz") == "KZ"
    assert country_code_for("Kazakhstan") == "KZ"
    assert country_code_for("Казахстан") == "KZ"
    assert country_code_for("Atlantis") is None
    with translation.override("ru"):
        labels = dict(SeizureForm().fields["country"].choices)
    assert labels["KZ"] == "Казахстан"


@pytest.mark.django_db
def test_the_seizure_country_starts_at_the_officers_state(officer_kz):
    from intel.forms import SeizureForm

    assert SeizureForm(user=officer_kz).fields["country"].initial == "KZ"


@pytest.mark.django_db
def test_an_unknown_transit_country_is_named_in_the_error():
    from intel.forms import SeizureForm

    form = SeizureForm(data={"transit": "Tajikistan, Atlantis"})
    form.is_valid()
    assert "Atlantis" in " ".join(form.errors["transit"])


@pytest.mark.django_db
def test_a_chosen_attachment_is_asked_for_again_by_name_after_an_error(client_for, officer_kz):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("evidence.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = client_for(officer_kz).post(
        "/intel/seizures/new/", {"title": "", "attachment": upload, "seizure-place": "Khorgos"}
    )
    assert response.status_code == 200
    assert "Choose the file evidence.pdf again" in response.content.decode()
