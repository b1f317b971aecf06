"""Error pages an officer meets: styled, explained, with a way back."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_a_record_not_shared_with_my_state_is_a_styled_404_with_ways_back(client_for, officer_uz):
    response = client_for(officer_uz).get("/intel/records/999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-testid="ways-back"' in html
    assert 'href="/intel/"' in html and 'href="/intel/search/"' in html
    assert "main-nav" in html  # the page keeps the portal's navigation


def test_a_refused_action_is_a_styled_403_that_says_why(rf, officer_kz):
    from django.core.exceptions import PermissionDenied

    from core.errors import permission_denied

    request = rf.get("/operations/1/edit/")
    request.user = officer_kz
    response = permission_denied(request, PermissionDenied("Only the lead state edits an operation."))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Only the lead state edits an operation." in html
    assert 'data-testid="ways-back"' in html


@override_settings(DEBUG=False)
def test_the_500_page_renders_without_a_request_context():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong" in html
    assert 'href="/"' in html


def test_an_api_404_stays_json(api_for, officer_uz):
    response = api_for(officer_uz).get("/api/v1/intel/records/999999/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
