"""Two coordinators approving at once: exactly one approval, a clear refusal for the others.

Needs PostgreSQL: SQLite has no row locks (select_for_update is a no-op there and
its writers serialise on the whole database), so the race cannot be staged on it.
"""

import threading

import pytest
from django.db import connection

from members.roles import Role
from operations.choices import Status
from operations.models import JointOperation, TransitionLog
from operations.workflow import IllegalTransition, fire
from tests.factories import UserFactory

from .conftest import advance

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 6


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")


@pytest.fixture
def coordinators(coordinator):
    return [coordinator] + [
        UserFactory(username=f"coordinator-{i}", roles=[Role.COORDINATOR]) for i in range(THREADS - 1)
    ]


def _race(target, args_per_thread):
    barrier = threading.Barrier(len(args_per_thread))
    outcomes: list = []
    lock = threading.Lock()

    def run(*args):
        try:
            barrier.wait(timeout=30)
            result = target(*args)
        except Exception as exc:
            result = exc
        finally:
            connection.close()  # each thread has its own connection; close it
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=args) for args in args_per_thread]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def test_parallel_approvals_log_exactly_one_transition(operation, coordinators):
    advance(operation, Status.AWAITING_APPROVAL, coordinators[0])

    outcomes = _race(
        lambda user: fire(operation.pk, "approve", user, "Go", expected_status=Status.AWAITING_APPROVAL),
        [(c,) for c in coordinators],
    )

    logs = [o for o in outcomes if isinstance(o, TransitionLog)]
    refusals = [o for o in outcomes if isinstance(o, IllegalTransition)]
    assert len(outcomes) == THREADS
    assert len(logs) == 1 and len(refusals) == THREADS - 1, outcomes
    assert all("changed meanwhile" in r.message for r in refusals)
    assert TransitionLog.objects.filter(operation=operation, transition="approve").count() == 1
    assert JointOperation.objects.get(pk=operation.pk).status == Status.APPROVED


def test_parallel_approvals_through_the_api_answer_one_200_and_409s(operation, coordinators, api_for):
    advance(operation, Status.AWAITING_APPROVAL, coordinators[0])
    url = f"/api/v1/operations/{operation.pk}/transitions/"

    outcomes = _race(
        lambda user: api_for(user).post(url, {"transition": "approve", "comment": "Go"}).status_code,
        [(c,) for c in coordinators],
    )

    assert sorted(outcomes) == [200] + [409] * (THREADS - 1)
    assert TransitionLog.objects.filter(operation=operation, transition="approve").count() == 1


def test_the_same_coordinator_pressing_approve_twice_gets_the_first_answer_and_one_log_row(
    operation, coordinators, api_for
):
    advance(operation, Status.AWAITING_APPROVAL, coordinators[0])
    url = f"/api/v1/operations/{operation.pk}/transitions/"
    body = {"transition": "approve", "comment": "Go", "expected_status": Status.AWAITING_APPROVAL}
    client = api_for(coordinators[1])
    first, second = client.post(url, body), client.post(url, body)
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json()["status"] == second.json()["status"] == Status.APPROVED
    assert TransitionLog.objects.filter(operation=operation, transition="approve").count() == 1
    # Another coordinator's approve on the approved operation is still refused.
    assert api_for(coordinators[2]).post(url, body).status_code == 409
    assert TransitionLog.objects.filter(operation=operation, transition="approve").count() == 1
