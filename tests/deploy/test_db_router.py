"""core.replica: heavy reads to a fresh replica, everything else to the primary.

The real replica (pg_basebackup -R, streaming) is exercised by test_cluster.py; here
the decisions, with the lag measurement stubbed where no replica exists.
"""

import logging

import pytest
from django.db import connection

from core import replica as db_router
from core.replica import ReplicaRouter, choose_read_alias, read_alias, replica_reads, use_replica


@pytest.fixture
def with_replica(settings, monkeypatch):
    """A configured replica alias whose lag the test sets."""
    monkeypatch.setattr(db_router, "replica_configured", lambda: True)
    settings.REPLICA_MAX_LAG_SECONDS = 30
    lag = {"value": 0.0}
    monkeypatch.setattr(db_router, "replica_lag", lambda force=False: lag["value"])
    return lag


def test_without_a_replica_reads_stay_on_the_primary(caplog):
    router = ReplicaRouter()
    with caplog.at_level(logging.INFO, logger="core.replica"), use_replica("report 7") as alias:
        assert alias == "default"
        assert router.db_for_read(object) == "default"
    assert "Heavy reads of report 7 from database 'default'" in caplog.text
    assert router.db_for_read(object) is None  # outside a block: Django's default


def test_a_fresh_replica_takes_the_reads_of_the_block_and_never_a_write(with_replica):
    router = ReplicaRouter()
    with use_replica() as alias:
        assert alias == "replica"
        assert router.db_for_read(object) == "replica"
        assert router.db_for_write(object) == "default"
        assert read_alias() == "replica"
    assert router.db_for_read(object) is None
    assert read_alias() == "default"


def test_a_replica_lagging_past_the_bound_or_unreachable_is_not_used(with_replica, caplog):
    with_replica["value"] = 31.0
    with caplog.at_level(logging.WARNING, logger="core.replica"):
        assert choose_read_alias() == "default"
    assert "Replica 31.0 s behind (bound 30 s)" in caplog.text
    with_replica["value"] = None  # unreachable
    assert choose_read_alias() == "default"
    with_replica["value"] = 29.0
    assert choose_read_alias() == "replica"


def test_a_nested_block_keeps_the_outer_choice(with_replica):
    with use_replica() as outer:
        with_replica["value"] = 100.0  # the replica falls behind mid-report
        with use_replica() as inner:
            assert inner == outer == "replica"


def test_the_decorator_enters_a_block_per_call(with_replica):
    @replica_reads
    def dashboard():
        return read_alias()

    assert dashboard() == "replica"
    assert read_alias() == "default"


def test_migrations_never_run_on_the_replica():
    router = ReplicaRouter()
    assert router.allow_migrate("replica", "intel") is False
    assert router.allow_migrate("default", "intel") is True


@pytest.mark.django_db
def test_the_lag_query_reads_zero_on_a_server_that_is_not_in_recovery():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's recovery functions")
    with connection.cursor() as cursor:
        cursor.execute(db_router.LAG_SQL)
        assert float(cursor.fetchone()[0]) == 0.0


def test_the_lag_is_measured_at_most_once_per_check_interval(settings, monkeypatch):
    settings.REPLICA_LAG_CHECK_SECONDS = 60
    calls = []

    class Cursor:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def execute(self, sql):
            calls.append(sql)

        def fetchone(self):
            return (2.5,)

    class Connection:
        def cursor(self):
            return Cursor()

        def close(self):
            """Nothing to close: a stand-in connection."""

    monkeypatch.setattr(db_router, "connections", {"replica": Connection()})
    monkeypatch.setattr(db_router, "_lag_cache", {})
    assert db_router.replica_lag() == 2.5
    assert db_router.replica_lag() == 2.5
    assert len(calls) == 1
    assert db_router.replica_lag(force=True) == 2.5
    assert len(calls) == 2
