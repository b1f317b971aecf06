"""A real browser signs in and opens the state directory."""

import pytest

from members.models import State
from members.roles import Role
from tests.factories import AgencyFactory, StateFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_signs_in_and_browses_the_state_directory(page, browser_login):
    kz = StateFactory(code="KZ", name_en="Kazakhstan", name_ru="Казахстан", status=State.Status.MEMBER)
    StateFactory(code="DE", name_en="Germany", name_ru="Германия", status=State.Status.OBSERVER)
    AgencyFactory(state=kz, name_en="Customs Service of Kazakhstan")
    officer = UserFactory(username="officer-kz", state=kz, first_name="Aigerim", roles=[Role.LIAISON_OFFICER])

    browser_login(page, officer)
    assert "KZ" in page.get_by_test_id("whoami").inner_text()

    page.goto("/states/")
    table = page.get_by_test_id("state-table")
    assert "Kazakhstan" in table.inner_text() and "Germany" in table.inner_text()

    page.select_option("#id_status", "observer")
    page.click("button:has-text('Filter')")
    page.wait_for_url("**status=observer**")
    assert "Kazakhstan" not in page.get_by_test_id("state-table").inner_text()

    page.goto("/states/KZ/")
    assert "Customs Service of Kazakhstan" in page.content()
    assert "Aigerim" in page.get_by_test_id("liaison-officers").inner_text()

    # The language switch turns the page Russian.
    page.click("button[name=language][value=ru]")
    page.wait_for_load_state()
    assert "Ведомства" in page.content()


def test_anonymous_visitors_are_sent_to_the_login_page(page, db):
    page.goto("/states/")
    assert "/accounts/login/" in page.url
