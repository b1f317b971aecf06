"""The offline map, drawn by a real browser: boundaries from the vendored file, no tile server."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from intel import services
from members.models import State
from members.roles import Role
from tests.factories import StateFactory, UserFactory
from tests.intel.conftest import MARKINGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_sees_a_seizure_on_the_map_and_opens_its_record(page, browser_login, live_server):
    kz = StateFactory(code="KZ", name_en="Kazakhstan", name_ru="Казахстан", status=State.Status.MEMBER)
    officer = UserFactory(username="officer-kz", state=kz, roles=[Role.LIAISON_OFFICER])
    record = services.create_seizure(
        user=officer,
        fields={"title": "Heroin at Khorgos", **MARKINGS},
        seizure={
            "occurred_at": timezone.now(),
            "country": "KZ",
            "place": "Khorgos",
            "place_type": "border",
            "latitude": Decimal("44.2"),
            "longitude": Decimal("80.4"),
        },
        items=[{"substance": "heroin", "form": "powder", "quantity": Decimal("12.5"), "unit": "kg"}],
    )
    outside: list[str] = []

    def note_outside(request) -> None:
        if not request.url.startswith((live_server.url, "data:")):
            outside.append(request.url)

    page.on("request", note_outside)

    browser_login(page, officer)
    page.goto("/intel/dashboard/")
    page.wait_for_selector("[data-testid=seizure-map][data-ready=true]")
    # The countries are drawn (SVG paths), and one seizure marker on top of them.
    assert page.locator("#seizure-map path.leaflet-interactive").count() > 100
    page.locator("#seizure-map path[fill='#dc3545']").first.click(force=True)
    page.get_by_role("link", name=record.reference).click()
    page.wait_for_url(f"**/intel/records/{record.pk}/")
    # Nothing was fetched from outside the portal.
    assert outside == []
