"""Intel lists sort by date either way and by reference, with keyset pages that follow
the sort; the inbox marks ticked records read in bulk, only those the reader may see."""

import re

import pytest

from intel.models import AccessLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def five(officer_kz, uz, make_record):
    return [make_record(officer_kz, recipients=[uz], title=f"R{i}") for i in range(5)]


def _refs(response) -> list[str]:
    return [row["reference"] for row in response.context["rows"]]


def _walk(client, url: str) -> list[str]:
    seen = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += _refs(response)
        nxt = response.context["next_url"]
        url = f"/intel/{nxt}" if nxt else ""
    return seen


@pytest.mark.parametrize("sort", ["-date", "date", "reference", "-reference"])
def test_keyset_pages_follow_every_offered_sort(five, officer_uz, client_for, sort):
    client = client_for(officer_uz)
    by_date = [r.reference for r in sorted(five, key=lambda r: (r.created_at, r.pk))]
    expected = {
        "-date": by_date[::-1],
        "date": by_date,
        "reference": sorted(by_date),
        "-reference": sorted(by_date, reverse=True),
    }[sort]
    assert _walk(client, f"/intel/?sort={sort}&page_size=2") == expected


def test_headers_carry_aria_sort_and_keep_the_filters(five, officer_uz, client_for):
    html = client_for(officer_uz).get("/intel/?sort=reference&kind=general").content.decode()
    assert re.search(r'aria-sort="ascending"><a [^>]*href="\?kind=general&amp;sort=-reference"', html)
    assert 'aria-sort="none"' in html  # the date column, not the current sort


def test_an_unknown_sort_falls_back_to_newest_first(five, officer_uz, client_for):
    response = client_for(officer_uz).get("/intel/?sort=title")
    assert _refs(response) == [r.reference for r in sorted(five, key=lambda r: (r.created_at, r.pk), reverse=True)]


def test_the_list_says_how_many_and_caps_the_count(five, officer_uz, client_for, monkeypatch):
    from intel.views import RecordListView

    client = client_for(officer_uz)
    assert client.get("/intel/").context["total"] == 5
    monkeypatch.setattr(RecordListView, "count_cap", 3)
    assert str(client.get("/intel/?page_size=2").context["total"]) == "more than 3"


def test_mark_read_marks_only_the_ticked_visible_records(five, officer_uz, officer_kg, make_record, client_for):
    hidden = make_record(officer_kg, title="not for UZ")
    client = client_for(officer_uz)
    response = client.post("/intel/mark-read/", {"record": [five[0].pk, five[1].pk, hidden.pk], "next": "/intel/"})
    assert response.status_code == 302 and response["Location"] == "/intel/"
    marked = set(AccessLog.objects.filter(user=officer_uz, action="mark_read").values_list("record_id", flat=True))
    assert marked == {five[0].pk, five[1].pk}
    rows = {r["pk"]: r["is_read"] for r in client.get("/intel/").context["rows"]}
    assert rows[five[0].pk] and rows[five[1].pk] and not rows[five[2].pk]
    # Again: already read, nothing more is written.
    client.post("/intel/mark-read/", {"record": [five[0].pk]})
    assert AccessLog.objects.filter(user=officer_uz, action="mark_read").count() == 2


def test_mark_read_costs_the_same_for_two_or_fifty(
    officer_kz, uz, officer_uz, make_record, client_for, django_assert_max_num_queries
):
    records = [make_record(officer_kz, recipients=[uz], title=f"B{i}") for i in range(52)]
    client = client_for(officer_uz)
    client.post("/intel/mark-read/", {"record": [records[0].pk]})
    counts = []
    for chunk in (records[1:3], records[3:52]):
        with django_assert_max_num_queries(20) as ctx:
            client.post("/intel/mark-read/", {"record": [r.pk for r in chunk]})
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert AccessLog.objects.filter(user=officer_uz, action="mark_read").count() == 52


def test_the_inbox_has_checkboxes_and_the_button(five, officer_uz, client_for):
    html = client_for(officer_uz).get("/intel/").content.decode()
    assert 'data-testid="mark-read"' in html and f'name="record" value="{five[0].pk}"' in html
    assert 'data-testid="mark-read"' not in client_for(officer_uz).get("/intel/records/").content.decode()


@pytest.mark.parametrize("tlp", ["GREEN", "AMBER", "AMBER+STRICT"])
def test_each_row_shows_its_tlp_in_its_colour(tlp, officer_kz, officer_uz, uz, make_record, client_for):
    record = make_record(officer_kz, recipients=[uz], tlp=tlp, title="Marked")
    page = client_for(officer_uz).get("/intel/").content.decode()
    row = re.search(rf'<tr[^>]*data-testid="record-row"[^>]*>.*?{record.reference}.*?</tr>', page, re.S).group(0)
    label, css = f"TLP:{tlp}", "tlp-" + tlp.replace("+", "-")
    assert f'class="badge tlp-badge {css}"' in row and f">{label}</span>" in row
    assert "TLP:TLP:" not in page
