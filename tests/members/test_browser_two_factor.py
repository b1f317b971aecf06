"""With REQUIRE_2FA on, a real browser is held at the set-up page until a device is confirmed."""

import pytest
from django_otp.oath import totp

from members.models import State
from members.roles import Role
from tests.factories import StateFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_sets_up_totp_in_the_browser_and_then_reaches_the_portal(page, browser_login, settings):
    settings.REQUIRE_2FA = True
    kz = StateFactory(code="KZ", name_en="Kazakhstan", name_ru="Казахстан", status=State.Status.MEMBER)
    officer = UserFactory(username="officer-kz", state=kz, roles=[Role.LIAISON_OFFICER])

    browser_login(page, officer)
    assert page.url.endswith("/accounts/2fa/setup/")
    assert page.get_by_test_id("qr").locator("svg").count() == 1

    # Anything else sends the browser back to the set-up page.
    page.goto("/states/")
    assert page.url.endswith("/accounts/2fa/setup/")

    # The authenticator app: derive the code from the key shown under the QR code.
    key = bytes.fromhex(page.locator("code").inner_text())
    page.fill("#id_token", f"{totp(key):06d}")
    page.click("button:has-text('Confirm')")
    page.wait_for_url("**/accounts/2fa/backup-codes/")
    assert len(page.get_by_test_id("backup-codes").locator("li").all()) == 10

    page.goto("/states/")
    assert page.url.endswith("/states/")
    assert "Kazakhstan" in page.get_by_test_id("state-table").inner_text()
