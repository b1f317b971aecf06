"""The pledge export (CSV and XLSX) carries no live spreadsheet formula, and shows only visible donors."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.donors.conftest import DonorFactory, make_pledge
from tests.spreadsheets import HOSTILE, assert_csv_inert, assert_xlsx_inert


@pytest.fixture
def hostile_pledges(db):
    for name in HOSTILE:
        make_pledge(DonorFactory(name=name))
    make_pledge(DonorFactory(name="=CONFIDENTIAL()", confidential=True))


def test_hostile_donor_names_are_text_in_the_csv(client_for, coordinator, hostile_pledges):
    response = client_for(coordinator).get(reverse("donors:pledge-export", args=["csv"]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert_csv_inert(body)
    assert b"CONFIDENTIAL" not in body  # coordinators do not see confidential donors


def test_hostile_donor_names_are_quote_prefixed_strings_in_the_xlsx(client_for, coordinator, hostile_pledges):
    response = client_for(coordinator).get(reverse("donors:pledge-export", args=["xlsx"]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert_xlsx_inert(body)
    assert b"CONFIDENTIAL" not in body


def test_donor_relations_see_the_confidential_donor_also_neutralised(client_for, donor_relations, hostile_pledges):
    body = b"".join(client_for(donor_relations).get(reverse("donors:pledge-export", args=["csv"])).streaming_content)
    assert_csv_inert(body, [*HOSTILE, "=CONFIDENTIAL()"])
