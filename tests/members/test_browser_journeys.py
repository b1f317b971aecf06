"""The portal's daily journeys, walked end to end in Chromium, in English and in Russian.

1. a seizure report with an attachment, shared with Uzbekistan and opened there;
2. a request for information and its answer, read in the thread;
3. a joint operation from proposal to completion;
4. a donor's pledge and a payment;
5. a report requested and downloaded;
6. the partner API: a token pulls the inbox and posts a seizure report.

Selectors are ids and test ids, never visible text, so the same walk runs in both
languages; what happened is checked in the database. A screenshot of each step is
kept in test-output/ (CI keeps the folder as an artifact).
"""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from donors.models import Payment, Pledge
from intel.models import Attachment, IntelRecord
from members.models import APIToken
from operations.models import JointOperation
from reports.models import ReportRequest
from tests.browser_forms import fill_markings, fill_seizure
from tests.donors.conftest import DonorFactory, make_rate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUTPUT = Path(os.environ.get("TEST_OUTPUT_DIR", Path(__file__).resolve().parents[2] / "test-output"))


class Walk:
    """A browser context per person, in one language, with numbered screenshots."""

    def __init__(self, browser, live_server, language: str, browser_login) -> None:
        self.browser, self.live_server, self.language, self.login = browser, live_server, language, browser_login
        self.pages: dict[str, object] = {}
        self.step = 0
        OUTPUT.mkdir(parents=True, exist_ok=True)

    def as_(self, user):
        if user.username not in self.pages:
            context = self.browser.new_context(base_url=self.live_server.url, locale=self.language)
            context.add_cookies([{"name": "django_language", "value": self.language, "url": self.live_server.url}])
            page = context.new_page()
            page.set_default_timeout(20_000)
            self.login(page, user)
            self.pages[user.username] = page
        return self.pages[user.username]

    def shot(self, page, name: str) -> None:
        self.step += 1
        assert page.evaluate("document.documentElement.lang") == self.language
        page.screenshot(path=str(OUTPUT / f"journey-{self.language}-{self.step:02d}-{name}.png"), full_page=True)

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()


@pytest.fixture
def sign_in():
    """Sign in through the real form, in any language (no button text is read)."""
    from tests.factories import PASSWORD

    def _login(page, user):
        page.goto("/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.locator("#id_password").press("Enter")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    return _login


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_daily_journeys(
    language, browser, live_server, sign_in, officer_kz, officer_uz, coordinator, donor_relations, uz, tmp_path
):
    walk = Walk(browser, live_server, language, sign_in)
    try:
        _seizure_with_attachment(walk, officer_kz, officer_uz, uz, tmp_path)
        _rfi_and_answer(walk, officer_kz, officer_uz, uz)
        _operation_to_completion(walk, officer_kz, officer_uz, coordinator, uz)
        _pledge_and_payment(walk, donor_relations)
        _report(walk, officer_kz)
        _partner_api(walk, live_server)
    finally:
        walk.close()


def _seizure_with_attachment(walk, officer_kz, officer_uz, uz, tmp_path):
    page = walk.as_(officer_kz)
    page.goto("/intel/seizures/new/")
    page.fill("#id_title", "Heroin in a lorry at Zhibek Zholy")
    fill_markings(page)
    page.locator(f"input[name=share_with][value='{uz.pk}']").check()
    assert page.input_value("#id_seizure-country") == "KZ"
    fill_seizure(page, (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), "TJ, uz")
    evidence = tmp_path / "evidence.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.set_input_files("#id_attachment", str(evidence))
    walk.shot(page, "seizure-form")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/intel/records/*/")
    record = IntelRecord.objects.get(title="Heroin in a lorry at Zhibek Zholy")
    assert Attachment.objects.filter(record=record).count() == 1
    assert set(record.shared_state_ids()) == {officer_kz.state_id, uz.pk}
    walk.shot(page, "seizure-record")

    page = walk.as_(officer_uz)
    page.goto("/intel/")
    page.get_by_test_id("record-row").filter(has_text=record.reference).get_by_role(
        "link", name=record.reference
    ).click()
    page.wait_for_url(f"**{record.get_absolute_url()}")
    walk.shot(page, "seizure-received")


def _rfi_and_answer(walk, officer_kz, officer_uz, uz):
    page = walk.as_(officer_kz)
    page.goto("/intel/rfis/new/")
    page.fill("#id_title", "Owner of a lorry")
    fill_markings(page)
    page.locator(f"input[name=addressees][value='{uz.pk}']").check()
    page.fill("#id_purpose", "Identify the consignee")
    page.fill("#id_legal_basis", "CARICC Agreement, art. 6")
    page.fill("#id_questions", "Who owns plate 01A123BC?\nWhere was it registered?")
    walk.shot(page, "rfi-form")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/intel/records/*/")
    rfi = IntelRecord.objects.get(title="Owner of a lorry")

    page = walk.as_(officer_uz)
    page.goto(f"{rfi.get_absolute_url()}respond/")
    assert page.get_by_test_id("questions").locator("li").count() == 2
    page.fill("#id_title", "The owner is a transport company")
    page.fill("#id_body", "Registered in Tashkent to Silk Road Logistics LLC.")
    fill_markings(page, outcome="answered")
    walk.shot(page, "rfi-answer-form")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url("**/intel/records/*/")

    page = walk.as_(officer_kz)
    page.goto(rfi.get_absolute_url())
    assert "Silk Road Logistics" in page.get_by_test_id("answer").first.inner_text()
    walk.shot(page, "rfi-thread")


def _operation_to_completion(walk, officer_kz, officer_uz, coordinator, uz):
    start = timezone.localdate() + timedelta(days=7)
    page = walk.as_(officer_kz)
    page.goto("/operations/new/")
    page.fill("#id_code_name", "Silk Thread")
    page.select_option("#id_operation_type", "controlled_delivery")
    page.fill("#id_objective", "Let the consignment run from Tashkent to Almaty.")
    page.fill("#id_planned_start", start.isoformat())
    page.fill("#id_planned_end", (start + timedelta(days=14)).isoformat())
    page.locator(f"#id_participants input[value='{uz.pk}']").check()
    walk.shot(page, "operation-form")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url("**/operations/*/")
    op = JointOperation.objects.get(code_name="Silk Thread")
    page.get_by_test_id("action-propose").locator("button").click()
    page.wait_for_load_state()

    page = walk.as_(officer_uz)
    page.goto(op.get_absolute_url())
    consent = page.get_by_test_id("consent-form")
    consent.locator("select[name=decision]").select_option("granted")
    consent.locator("button[type=submit]").click()
    page.wait_for_load_state()

    page = walk.as_(coordinator)
    page.goto(op.get_absolute_url())
    page.get_by_test_id("action-approve").locator("button").click()
    page.wait_for_load_state()

    page = walk.as_(officer_kz)
    page.goto(op.get_absolute_url())
    page.get_by_test_id("action-start").locator("button").click()
    page.wait_for_load_state()
    # Complete waits for the results, and says so.
    assert page.get_by_test_id("blocked-complete").count() == 1
    walk.shot(page, "operation-active")
    page.goto(f"{op.get_absolute_url()}results/")
    page.fill("#id_arrests", "3")
    page.locator("button[name=save_results]").click()
    page.wait_for_load_state()
    page.goto(op.get_absolute_url())
    page.get_by_test_id("action-complete").locator("button").click()
    page.wait_for_load_state()
    op.refresh_from_db()
    assert op.status == "completed"
    walk.shot(page, "operation-completed")


def _pledge_and_payment(walk, donor_relations):
    from datetime import date

    DonorFactory(name="Government of Germany")
    make_rate("EUR", date(2026, 4, 20), "1.0800")
    make_rate("EUR", date(2026, 6, 1), "1.1000")
    page = walk.as_(donor_relations)
    page.goto("/donors/pledges/new/")
    page.select_option("#id_donor", label="Government of Germany")
    page.fill("#id_announced_on", "2026-04-20")
    page.fill("#id_amount", "100000.00")
    page.fill("#id_currency", "EUR")
    page.select_option("#id_earmark", "equipment")
    page.fill("#id_instalments-0-due_on", "2026-09-30")
    page.fill("#id_instalments-0-amount", "100000.00")
    walk.shot(page, "pledge-form")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url("**/donors/pledges/*/")
    pledge = Pledge.objects.get(donor__name="Government of Germany")
    page.get_by_test_id("record-payment").click()
    page.fill("#id_value_date", "2026-06-01")
    page.fill("#id_amount", "40000.00")
    page.fill("#id_currency", "EUR")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(f"**/donors/pledges/{pledge.pk}/")
    assert Payment.objects.get(pledge=pledge).amount_usd == Decimal("44000.00")
    walk.shot(page, "pledge-paid")
    page.goto("/donors/funding/?year=2026")
    walk.shot(page, "funding-dashboard")


def _report(walk, officer_kz):
    page = walk.as_(officer_kz)
    page.goto("/reports/")
    form = page.get_by_test_id("report-request-form")
    form.locator("#id_kind").select_option("seizure_statistics")
    form.locator("#id_format").select_option("xlsx")
    form.locator("#id_date_from").fill(f"{timezone.localdate().year}-01-01")
    form.locator("#id_date_to").fill(timezone.localdate().isoformat())
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/reports/**")
    report = ReportRequest.objects.filter(requested_by=officer_kz).latest("pk")
    assert report.status == "succeeded"
    with page.expect_download() as download:
        page.get_by_test_id(f"download-{report.pk}").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    walk.shot(page, "reports")


def _partner_api(walk, live_server):
    import json
    import urllib.request

    from tests.intel.conftest import SEIZURE_PAYLOAD

    partner = _partner()
    _token, key = APIToken.issue(partner, name="journey")

    def call(method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        request = urllib.request.Request(  # noqa: S310 - the live server on localhost
            f"{live_server.url}{path}",
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Token {key}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request) as response:  # noqa: S310
            return response.status, json.loads(response.read())

    status, inbox = call("GET", "/api/v1/intel/records/?inbox=true")
    assert status == 200 and "results" in inbox
    payload = {**SEIZURE_PAYLOAD, "seizure": {**SEIZURE_PAYLOAD["seizure"], "occurred_at": timezone.now().isoformat()}}
    status, created = call("POST", "/api/v1/intel/seizures/", payload)
    assert status == 201
    assert created["reference"].startswith("CARICC-KZ-")


def _partner():
    from members.models import State, User
    from members.roles import Role
    from tests.factories import UserFactory

    existing = User.objects.filter(username="partner-kz").first()
    return existing or UserFactory(
        username="partner-kz", state=State.objects.get(code="KZ"), roles=[Role.PARTNER_SYSTEM]
    )
