"""The operations pages speak Russian, and numbers in styles stay machine-readable."""

import re

import pytest
from django.urls import reverse

from operations.choices import Status

from .conftest import advance

pytestmark = pytest.mark.django_db


def test_pages_in_russian(client_for, operation, officer_kz, coordinator):
    advance(operation, Status.APPROVED, coordinator)
    client = client_for(officer_kz)
    client.cookies["django_language"] = "ru"
    html = client.get(reverse("operations:operation-list"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Совместные операции" in html and "Утверждена" in html
    html = client.get(operation.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Участвующие государства и согласие" in html and "Начать" in html
    html = client.get(reverse("operations:timeline"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    widths = re.findall(r"width: ([^%]+)%", html)
    assert widths and all(re.fullmatch(r"\d+(\.\d+)?", w) for w in widths)  # "12.5", never "12,5"
