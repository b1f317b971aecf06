"""Fixtures of the sync tests: the intel helpers (records made through the services)."""

from tests.intel.conftest import MARKINGS, make_record  # noqa: F401
