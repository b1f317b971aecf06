"""No English left in the Russian interface.

Every main page is rendered in Russian on the demo data, and the text of its
headings, labels, buttons, badges, table headers and navigation is compared with
the English msgids of the portal's catalogues: a text that is still an English
msgid (one whose Russian translation differs) means a string was translated once
at start-up, never translated, or built outside gettext.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import trans_real

from intel.models import IntelRecord
from members.models import User
from operations.models import JointOperation

pytestmark = pytest.mark.django_db

CHECKED_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "label", "button", "th", "legend", "caption", "option", "summary"}
CHECKED_CLASSES = {"badge", "nav-link", "dropdown-item", "btn", "breadcrumb-item", "form-text", "card-title"}


class _TextCollector(HTMLParser):
    """Collects the text inside the checked elements (and their descendants)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth: list[bool] = []
        self.texts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        if tag in ("input", "br", "img", "meta", "link", "hr", "col", "source", "wbr"):
            return
        classes = set((dict(attrs).get("class") or "").split())
        self.depth.append(tag in CHECKED_TAGS or bool(classes & CHECKED_CLASSES))

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1
        if self.depth and tag not in ("input", "br", "img", "meta", "link", "hr", "col", "source", "wbr"):
            self.depth.pop()

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self.skip and any(self.depth):
            self.texts.append(text)


def _english_msgids() -> set[str]:
    """English source strings whose Russian translation is different."""
    catalog = trans_real.translation("ru")._catalog
    english = set()
    for key, value in catalog.items():
        if isinstance(key, tuple):  # plural forms: (msgid, n)
            continue
        msgid = key.split("\x04", 1)[-1]
        if msgid and value and value != msgid and any(c.isalpha() for c in msgid) and len(msgid) > 2:
            english.add(msgid)
    return english


def _pages() -> dict[str, tuple[str, str]]:
    officer = User.objects.get(username="officer-kz")
    record = IntelRecord.objects.visible_to(officer).filter(kind="seizure").order_by("-created_at").first()
    rfi = IntelRecord.objects.visible_to(officer).filter(kind="rfi").order_by("-created_at").first()
    operation = JointOperation.objects.visible_to(officer).order_by("-created_at").first()
    return {
        "home": ("officer-kz", "/"),
        "inbox": ("officer-kz", "/intel/"),
        "records": ("officer-kz", "/intel/records/"),
        "my records": ("officer-kz", "/intel/mine/"),
        "search": ("officer-kz", "/intel/search/"),
        "seizure dashboard": ("officer-kz", "/intel/dashboard/"),
        "record": ("officer-kz", record.get_absolute_url()),
        "request for information": ("officer-kz", rfi.get_absolute_url()),
        "new seizure report": ("officer-kz", "/intel/seizures/new/"),
        "new request": ("officer-kz", "/intel/rfis/new/"),
        "operations": ("officer-kz", "/operations/"),
        "operation": ("officer-kz", operation.get_absolute_url()),
        "new operation": ("officer-kz", "/operations/new/"),
        "states": ("officer-kz", "/states/"),
        "notices": ("officer-kz", "/notices/"),
        "reports": ("officer-kz", "/reports/"),
        "coordinator home": ("coordinator", "/"),
        "donors": ("donors", "/donors/"),
        "funding": ("donors", "/donors/funding/"),
        "donor home": ("donors", "/"),
    }


def test_the_russian_interface_shows_no_english_msgid(client, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "caricc-demo-2026")
    call_command("seed_demo", verbosity=0)
    english = _english_msgids()
    assert len(english) > 500  # the catalogues are loaded
    found: list[str] = []
    for name, (username, path) in _pages().items():
        client.force_login(User.objects.get(username=username))
        client.cookies["django_language"] = "ru"
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="ru")
        assert response.status_code == 200, (name, path, response.status_code)
        parser = _TextCollector()
        parser.feed(response.content.decode())
        leftovers = sorted({text for text in parser.texts if text in english})
        found.extend(f"{name} ({path}): {text!r}" for text in leftovers)
    translation.activate("en")
    assert not found, "English left in the Russian interface:\n" + "\n".join(found)


def test_state_lists_follow_the_readers_language(db):
    from members.models import State
    from tests.factories import StateFactory

    StateFactory(code="TM", name_en="Turkmenistan", name_ru="Туркменистан", status=State.Status.MEMBER)
    StateFactory(code="US", name_en="United States", name_ru="Соединённые Штаты", status=State.Status.OBSERVER)
    with translation.override("en"):
        assert [s.code for s in State.objects.filter(code__in=["TM", "US"]).by_name()] == ["TM", "US"]
    with translation.override("ru"):
        assert [s.code for s in State.objects.filter(code__in=["TM", "US"]).by_name()] == ["US", "TM"]


def test_a_seizure_report_without_items_says_so_in_plain_words():
    from intel.forms import SeizureItemFormSet

    with translation.override("ru"):
        formset = SeizureItemFormSet(
            data={"items-TOTAL_FORMS": "0", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "1"},
            prefix="items",
        )
        assert not formset.is_valid()
        message = " ".join(formset.non_form_errors())
    # Not Django's "Пожалуйста, отправьте 1 форму." but the portal's own sentence.
    assert "отправьте" not in message.lower()
    assert "изъят" in message.lower()
