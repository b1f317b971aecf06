"""List pages cost the same number of queries at 10 and 100 rows, in the API and the UI."""

import pytest

from core.sharing import forget_user_caches

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(officer_kz, uz, make_seizure, make_record):
    from intel import services

    from .conftest import MARKINGS

    for i in range(101):
        make_seizure(officer_kz, recipients=[uz], title=f"S{i}", body="heroin lorry")
    for i in range(101):
        services.create_rfi(
            user=officer_kz,
            fields={"title": f"Q{i}", **MARKINGS},
            addressees=[uz],
            purpose="p",
            legal_basis="l",
            questions=["q"],
        )


@pytest.mark.parametrize("url", ["/api/v1/intel/records/", "/api/v1/intel/seizures/", "/api/v1/intel/rfis/"])
def test_api_lists_have_constant_query_counts(many, officer_uz, api_for, django_assert_max_num_queries, url):
    api = api_for(officer_uz)
    api.get(url)  # process-wide caches (content types, permission ids) filled once
    counts = []
    for size in (10, 100):
        # The forced-authentication client reuses one user object: drop its
        # permission caches so each request pays what a real one pays.
        forget_user_caches(officer_uz)
        with django_assert_max_num_queries(10) as ctx:
            response = api.get(f"{url}?page_size={size}")
        assert response.status_code == 200
        assert len(response.json()["results"]) == size
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("url", ["/intel/", "/intel/records/", "/intel/search/?q=heroin"])
def test_ui_lists_have_constant_query_counts(many, officer_uz, client_for, django_assert_max_num_queries, url):
    client = client_for(officer_uz)
    sep = "&" if "?" in url else "?"
    client.get(url)
    with django_assert_max_num_queries(11) as ctx10:
        assert client.get(f"{url}{sep}page_size=10").status_code == 200
    with django_assert_max_num_queries(11) as ctx100:
        page = client.get(f"{url}{sep}page_size=100")
    assert page.status_code == 200
    assert len(page.context["records"]) == 100
    assert len(ctx10.captured_queries) == len(ctx100.captured_queries)


def test_api_cursor_pages_walk_the_whole_list(officer_kz, make_record, api_for):
    made = [make_record(officer_kz, title=f"R{i}").pk for i in range(7)]
    api = api_for(officer_kz)
    seen, url = [], "/api/v1/intel/records/?page_size=3"
    while url:
        body = api.get(url).json()
        seen += [r["id"] for r in body["results"]]
        url = body["next"]
    assert seen == sorted(made, reverse=True)
    assert "count" not in body  # no COUNT(*) on big lists
