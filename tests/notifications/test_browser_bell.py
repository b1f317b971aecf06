"""In a real browser: Kazakhstan shares a record with Uzbekistan; the Uzbek officer's bell
rises and the notification opens the record."""

import pytest

from intel import services
from members.models import State
from members.roles import Role
from tests.factories import StateFactory, UserFactory

from .conftest import MARKINGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_uz_sees_the_bell_rise_and_opens_the_shared_record(page, browser, live_server, browser_login):
    kz = StateFactory(code="KZ", name_en="Kazakhstan", name_ru="Казахстан", status=State.Status.MEMBER)
    uz = StateFactory(code="UZ", name_en="Uzbekistan", name_ru="Узбекистан", status=State.Status.MEMBER)
    officer_kz = UserFactory(username="officer-kz", state=kz, roles=[Role.LIAISON_OFFICER])
    officer_uz = UserFactory(username="officer-uz", state=uz, roles=[Role.LIAISON_OFFICER])
    record = services.create_record(
        user=officer_kz, fields={"title": "Lorry at Zhibek Zholy", "kind": "general", **MARKINGS}
    )

    browser_login(page, officer_uz)
    assert page.get_by_test_id("bell-count").inner_text() == "0"

    # Officer-kz, in a browser of their own, shares the record with Uzbekistan.
    kz_context = browser.new_context(base_url=live_server.url, locale="en-GB")
    kz_page = kz_context.new_page()
    browser_login(kz_page, officer_kz)
    kz_page.goto(record.get_absolute_url())
    kz_page.check(f"input[name=share_with][value='{uz.pk}']")
    kz_page.click("button:has-text('Update dissemination')")
    kz_page.wait_for_load_state()
    assert "Uzbekistan" in kz_page.get_by_test_id("recipients").inner_text()
    kz_context.close()

    page.reload()
    assert page.get_by_test_id("bell-count").inner_text() == "1"
    page.get_by_test_id("bell").click()
    page.wait_for_url("**/notifications/")
    link = page.get_by_test_id("notification-link")
    assert record.reference in link.inner_text()
    link.click()
    page.wait_for_url(f"**{record.get_absolute_url()}")
    assert page.get_by_test_id("record-title").inner_text() == "Lorry at Zhibek Zholy"
    assert page.get_by_test_id("bell-count").inner_text() == "0"
