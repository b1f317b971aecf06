"""Every route answers odd path parameters with 4xx, never a server error.

The walk takes every URL pattern of the resolver (UI, API, admin), and for each
path parameter substitutes values a stranger might send: NUL bytes, an overlong
string, non-Latin text, a negative number, an integer beyond bigint. It runs as
a signed-in officer, a staff administrator and a partner system's API token.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.contrib.admindocs.views import simplify_regex
from django.urls import URLPattern, URLResolver, get_resolver

from members.roles import Role
from tests.factories import UserFactory

ODD_VALUES = [
    "%00",
    "1%00",
    "a%00b",
    "x" * 1500,  # under the path guard's limit, so the lookups see it
    "%D0%96%E2%82%AC%F0%9F%98%80",  # Ж€😀
    "-1",
    "99999999999999999999999999",
    "9223372036854775808",  # bigint max + 1
    "0",
]
_ROUTE_PARAM = re.compile(r"<(?:[^>:]+:)?([^>]+)>")
_SIMPLE_PARAM = re.compile(r"<([^>]+)>")


def _templates(resolver: URLResolver, prefix: str = "") -> Iterator[str]:
    for entry in resolver.url_patterns:
        piece = str(entry.pattern)
        if entry.pattern.__class__.__name__ == "RoutePattern":
            piece = _ROUTE_PARAM.sub(r"(?P<\1>x)", piece)
        if isinstance(entry, URLResolver):
            yield from _templates(entry, prefix + piece)
        elif isinstance(entry, URLPattern):
            yield simplify_regex(prefix + piece)


def odd_urls() -> list[str]:
    """Every route with parameters, once per (parameter, odd value); others filled with 1."""
    urls: set[str] = set()
    for template in _templates(get_resolver()):
        names = _SIMPLE_PARAM.findall(template)
        for target in names:
            for value in ODD_VALUES:
                url = template
                for name in names:
                    url = url.replace(f"<{name}>", value if name == target else "1", 1)
                urls.add(url)
    return sorted(urls)


def plain_urls() -> list[str]:
    return sorted({t for t in _templates(get_resolver()) if "<" not in t})


def _server_errors(client, urls: list[str], methods=("get", "post")) -> list[str]:
    client.raise_request_exception = False
    failures = []
    for url in urls:
        for method in methods:
            response = getattr(client, method)(url)
            if response.status_code >= 500:
                failures.append(f"{method.upper()} {url[:120]} -> {response.status_code}")
    return failures


def test_the_walk_covers_the_ui_the_api_and_the_admin():
    urls = odd_urls()
    assert any(u.startswith("/states/") for u in urls)
    assert any(u.startswith("/api/v1/intel/records/") for u in urls)
    assert any(u.startswith("/admin/members/user/") for u in urls)
    assert "/states/%00/" in urls


def test_a_number_beyond_bigint_is_not_found_before_any_lookup(client_for, officer_kz):
    client = client_for(officer_kz)
    assert client.get("/notices/9223372036854775808/").status_code == 404
    assert client.get("/api/v1/states/99999999999999999999/").json()["detail"]
    assert client.get("/notices/9223372036854775807/").status_code == 404  # in range: the view's own 404


def test_a_nul_byte_in_the_path_is_a_bad_request(client_for, officer_kz):
    response = client_for(officer_kz).get("/states/%00/")
    assert response.status_code == 400
    assert client_for(officer_kz).get("/api/v1/states/%00/").json()["detail"]


# The admin site answers anyone but staff with a redirect to its login: walking it
# as an officer or a token proves nothing, so the administrator walks it.


def test_no_route_answers_odd_parameters_with_a_server_error_for_an_officer(client_for, officer_kz):
    urls = [u for u in odd_urls() if not u.startswith("/admin/")]
    assert _server_errors(client_for(officer_kz), urls) == []


def test_no_api_route_answers_odd_parameters_with_a_server_error_for_a_partner_token(partner_api):
    # A token authenticates the API only; the UI sends it to the sign-in page.
    urls = [u for u in odd_urls() if u.startswith("/api/")]
    assert _server_errors(partner_api, urls) == []


def test_no_admin_route_answers_odd_parameters_with_a_server_error_for_an_administrator(client_for, db):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True, roles=[Role.COORDINATOR])
    urls = [u for u in odd_urls() if u.startswith("/admin/")]
    assert _server_errors(client_for(admin), urls, methods=("get",)) == []


def test_routes_without_parameters_answer_an_officer_without_a_server_error(client_for, officer_kz):
    assert _server_errors(client_for(officer_kz), plain_urls(), methods=("get",)) == []
