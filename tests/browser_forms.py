"""Filling the portal's record forms in a real browser (Playwright), for the browser tests."""

from __future__ import annotations

from tests.intel.conftest import MARKINGS


def fill_markings(page, **extra: str) -> None:
    """The marking selects of a record form (TLP:AMBER, H0, restricted, B2), plus `extra` selects."""
    for name, value in {**MARKINGS, **extra}.items():
        page.select_option(f"#id_{name}", value)


def fill_seizure(page, occurred_at: str, transit: str, quantity: str = "148.2") -> None:
    """The seizure part of the form: from Afghanistan through `transit`, one item of heroin powder in kg.

    The country is left at its default (the officer's own state); `transit` is typed
    as an officer would, by name or code.
    """
    page.fill("#id_seizure-occurred_at", occurred_at)
    page.select_option("#id_seizure-route_origin", "AF")
    page.fill("#id_seizure-transit", transit)
    page.fill("#id_seizure-place", "Zhibek Zholy")
    page.select_option("#id_seizure-place_type", "border")
    page.select_option("#id_items-0-substance", "heroin")
    page.select_option("#id_items-0-form", "powder")
    page.fill("#id_items-0-quantity", quantity)
    page.select_option("#id_items-0-unit", "kg")
