"""Every list page sorts by its columns through one mechanism (core.views.SortableListMixin
and {% sort_header %}), says how many rows it holds, and offers "All" in its filters."""

import re

import pytest

from tests.donors.conftest import DonorFactory, make_pledge
from tests.operations.conftest import build_operation

pytestmark = pytest.mark.django_db


def _order(html: str, pattern: str) -> list[str]:
    return re.findall(pattern, html)


def test_donors_sort_by_name_either_way_and_show_money(client_for, donor_relations):
    for name, amount in (("Beta", "30000000"), ("Alpha", "3400000"), ("Gamma", "10")):
        make_pledge(DonorFactory(name=name), amount=amount)
    client = client_for(donor_relations)
    names = r'<a href="/donors/\d+/">(\w+)</a>'
    assert _order(client.get("/donors/").content.decode(), names) == ["Alpha", "Beta", "Gamma"]
    html = client.get("/donors/?sort=-name").content.decode()
    assert _order(html, names) == ["Gamma", "Beta", "Alpha"]
    assert 'aria-sort="descending"' in html
    assert "30,000,000.00\u00a0USD" in html  # money with separators and currency
    assert _order(client.get("/donors/?sort=-pledged").content.decode(), names) == ["Beta", "Alpha", "Gamma"]
    assert 'data-testid="list-count">3 in all' in html


def test_operations_sort_by_code_name_and_keep_the_filter(client_for, officer_kz, officer_uz, uz):

    for code in ("Caravan", "Atlas", "Birch"):
        build_operation(officer_kz, {uz: "participant"}, code_name=code)
    client = client_for(officer_kz)
    html = client.get("/operations/?sort=code_name&status=draft").content.decode()
    codes = re.findall(r"<td>(Atlas|Birch|Caravan)</td>", html)
    assert codes == ["Atlas", "Birch", "Caravan"]
    assert re.search(r'aria-sort="ascending"><a [^>]*href="\?status=draft&amp;sort=-code_name"', html)
    assert '<option value="" selected>All</option>' in html or '<option value="">All</option>' in html
    assert "---------" not in html


@pytest.mark.parametrize(
    "url",
    [
        "/donors/pledges/",
        "/donors/rates/",
        "/donors/budget/",
        "/donors/events/",
        "/donors/overdue/",
        "/reports/",
        "/states/",
        "/notices/",
    ],
)
def test_every_list_draws_sortable_headers(client_for, donor_relations, coordinator, url):
    user = donor_relations if url.startswith("/donors/") else coordinator
    html = client_for(user).get(url).content.decode()
    assert "aria-sort=" in html and 'class="sort-link' in html
    assert "---------" not in html


def test_an_unknown_sort_is_ignored(client_for, donor_relations):
    DonorFactory(name="Alpha")
    assert client_for(donor_relations).get("/donors/?sort=secret_field").status_code == 200
