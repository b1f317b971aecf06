"""The notification list sorts newest or oldest first (core.views.SortableListMixin), and
its keyset pages follow the chosen direction."""

import pytest

from tests.intel.conftest import make_record  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("sort", ["-date", "date"])
def test_keyset_pages_follow_the_sort(make_record, officer_kz, officer_uz, uz, client_for, sort):  # noqa: F811
    for i in range(30):
        make_record(officer_kz, recipients=[uz], title=f"r{i}")
    client = client_for(officer_uz)
    seen, url = [], f"/notifications/?sort={sort}"
    while url:
        page = client.get(url)
        seen += [(n.created_at, n.pk) for n in page.context["notifications"]]
        url = "/notifications/" + page.context["next_url"] if page.context["next_url"] else ""
    assert len(seen) == 30 and len(set(seen)) == 30
    assert seen == sorted(seen, reverse=(sort == "-date"))
    html = client.get(f"/notifications/?sort={sort}").content.decode()
    assert ("Oldest first" if sort == "-date" else "Newest first") in html
