"""Fixtures of the API tests: the intel helpers (records made through the services)."""

from tests.intel.conftest import MARKINGS, SEIZURE_PAYLOAD, make_record, make_seizure, ru  # noqa: F401
