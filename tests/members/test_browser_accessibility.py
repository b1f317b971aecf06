"""The main pages on a phone and for assistive technology, in English and Russian.

A real Chromium at 390 px wide opens each main page of the demo portal as the
people who use it, checks that the page fits the viewport (no horizontal
scrolling) and runs axe-core (vendored: tests/browser_assets/axe.min.js) with the
WCAG 2.1 A/AA rules: no serious or critical violation may remain. Screenshots go
to test-output/ (kept by CI as artifacts).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from intel.models import IntelRecord
from members.models import User
from operations.models import JointOperation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[1] / "browser_assets" / "axe.min.js"
OUTPUT = Path(os.environ.get("TEST_OUTPUT_DIR", Path(__file__).resolve().parents[2] / "test-output"))
DEMO_PASSWORD = "caricc-demo-2026"


def _pages() -> list[tuple[str, str, str]]:
    """(name, who, path) for the main pages, on the demo data."""
    officer = User.objects.get(username="officer-kz")
    record = IntelRecord.objects.visible_to(officer).filter(kind="seizure").order_by("-created_at").first()
    operation = JointOperation.objects.visible_to(officer).order_by("-created_at").first()
    return [
        ("home", "officer-kz", "/"),
        ("inbox", "officer-kz", "/intel/"),
        ("record", "officer-kz", record.get_absolute_url()),
        ("operation", "officer-kz", operation.get_absolute_url()),
        ("funding", "donors", "/donors/funding/"),
        ("reports", "officer-kz", "/reports/"),
    ]


def _sign_in(context, username: str) -> object:
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def test_main_pages_fit_a_phone_and_have_no_serious_accessibility_violation(browser, live_server, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", DEMO_PASSWORD)
    call_command("seed_demo", verbosity=0)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    pages = _pages()
    for language in ("en", "ru"):
        contexts = {}
        for name, who, path in pages:
            if who not in contexts:
                context = browser.new_context(
                    base_url=live_server.url,
                    viewport={"width": 390, "height": 844},
                    locale=language,
                    # Only so that the test can inject axe-core; the pages' own CSP stays on.
                    bypass_csp=True,
                )
                context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
                contexts[who] = (context, _sign_in(context, who))
            page = contexts[who][1]
            page.goto(path)
            page.wait_for_load_state("networkidle")
            assert page.evaluate("document.documentElement.lang") == language, (name, language)
            width = page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
            if width > 390:
                problems.append(f"{language} {name}: page is {width}px wide at a 390px viewport")
            page.screenshot(path=str(OUTPUT / f"phone-{language}-{name}.png"), full_page=True)
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate(
                """async () => {
                    const result = await axe.run(document, {
                        runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
                        resultTypes: ["violations"],
                    });
                    return result.violations
                        .filter(v => v.impact === "serious" || v.impact === "critical")
                        .map(v => v.id + " (" + v.impact + "): "
                            + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
                }"""
            )
            problems.extend(f"{language} {name}: {violation}" for violation in violations)
        for context, _page in contexts.values():
            context.close()
    assert not problems, "\n".join(problems)
