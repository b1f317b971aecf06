"""A real Celery worker sends the notification e-mail of a proposal after the commit (PostgreSQL + Redis only)."""

import time

import pytest

from operations.choices import ParticipantRole
from operations.services import create_operation
from operations.workflow import fire

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mail_dir(tmp_path, monkeypatch):
    """The worker (another process) writes its mail as files here."""
    path = tmp_path / "mail"
    path.mkdir()
    monkeypatch.setenv("EMAIL_URL", f"filemail:///{path}")
    return path


def test_a_proposal_is_mailed_by_the_worker(mail_dir, request, officer_kz, officer_uz, uz, coordinator):
    request.getfixturevalue("celery_worker_process")  # started after EMAIL_URL is set
    op = create_operation(
        officer_kz,
        {
            "code_name": "Worker",
            "operation_type": "other",
            "objective": "x",
            "planned_start": "2026-12-01",
            "planned_end": "2026-12-02",
        },
        {uz.pk: ParticipantRole.PARTICIPANT},
    )
    fire(op, "propose", officer_kz)

    deadline = time.time() + 60
    text = ""
    while time.time() < deadline:
        files = list(mail_dir.glob("*.log"))
        text = "".join(f.read_text() for f in files)
        if "To: officer-uz@example.org" in text:
            break
        time.sleep(0.5)
    # Uzbekistan owes its consent: its officer is told, by reference and link only.
    assert op.reference in text
    assert "To: officer-uz@example.org" in text
    # The proposing officer is not mailed about their own action.
    assert "To: officer-kz@example.org" not in text
