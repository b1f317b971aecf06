"""Shared fixtures: personas per role and state, API clients, the browser and a real worker.

Personas (healthchecks' alice/bob/charlie, by state):
  officer_kz, officer_uz, officer_kg  liaison officers of member states
  observer                            a liaison officer of an observer state (Germany)
  coordinator, analyst                centre staff with global view permissions
  donor_relations                     donor relations staff
  partner_kz                          a partner-system account of Kazakhstan (API token)
  anonymous: use `client` without logging in.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from rest_framework.test import APIClient

from members.models import APIToken, State
from members.roles import Role
from tests.factories import PASSWORD, StateFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent

# Playwright's sync API runs an event loop in the test thread; Django's
# async-safety check would otherwise refuse the ORM calls that test code makes.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _portal_test_settings(settings, tmp_path):
    """Fast hashing, private files in a temp folder, mail kept in memory, tasks eager."""
    from caricc_portal.celery import app

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PRIVATE_ROOT = tmp_path / "private"
    private = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
    }
    settings.STORAGES = {**settings.STORAGES, "default": private, "private": private}
    settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    # An empty cache per test: rolled-back tests reuse ids (SQLite), and answers
    # cached under an id (a token, the bell's statement) must not reach the next test.
    caches["default"].clear()
    yield
    app.conf.task_always_eager = previous


# --- states ------------------------------------------------------------------


@pytest.fixture
def kz(db) -> State:
    return StateFactory(code="KZ", name_en="Kazakhstan", name_ru="Казахстан", status=State.Status.MEMBER)


@pytest.fixture
def uz(db) -> State:
    return StateFactory(code="UZ", name_en="Uzbekistan", name_ru="Узбекистан", status=State.Status.MEMBER)


@pytest.fixture
def kg(db) -> State:
    return StateFactory(code="KG", name_en="Kyrgyzstan", name_ru="Кыргызстан", status=State.Status.MEMBER)


@pytest.fixture
def de(db) -> State:
    return StateFactory(code="DE", name_en="Germany", name_ru="Германия", status=State.Status.OBSERVER)


# --- personas ------------------------------------------------------------------


@pytest.fixture
def officer_kz(kz):
    return UserFactory(username="officer-kz", state=kz, roles=[Role.LIAISON_OFFICER])


@pytest.fixture
def officer_uz(uz):
    return UserFactory(username="officer-uz", state=uz, roles=[Role.LIAISON_OFFICER])


@pytest.fixture
def officer_kg(kg):
    return UserFactory(username="officer-kg", state=kg, roles=[Role.LIAISON_OFFICER])


@pytest.fixture
def observer(de):
    return UserFactory(username="observer-de", state=de, roles=[Role.LIAISON_OFFICER])


@pytest.fixture
def coordinator(db):
    return UserFactory(username="coordinator", roles=[Role.COORDINATOR])


@pytest.fixture
def analyst(db):
    return UserFactory(username="analyst", roles=[Role.ANALYST])


@pytest.fixture
def donor_relations(db):
    return UserFactory(username="donors", roles=[Role.DONOR_RELATIONS])


@pytest.fixture
def partner_kz(kz):
    return UserFactory(username="partner-kz", state=kz, roles=[Role.PARTNER_SYSTEM])


# --- clients ----------------------------------------------------------------------


@pytest.fixture
def client_for(client):
    """`client_for(user)`: Django's test client signed in as that user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_for():
    """`api_for(user)`: a DRF client authenticated as the user (session for persons)."""

    def _client(user):
        c = APIClient()
        c.force_authenticate(user)
        return c

    return _client


@pytest.fixture
def partner_api(partner_kz):
    """A DRF client using a real hashed API token of the Kazakh partner system."""
    _token, raw = APIToken.issue(partner_kz, name="tests")
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return c


# --- a real Celery worker -------------------------------------------------------


def _database_url_for_worker() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class WorkerProcess:
    """A `celery worker` subprocess on the test database and the real broker."""

    def __init__(self, queues: str = "celery,reports,notify", env: dict[str, str] | None = None) -> None:
        self.queues = queues
        self.extra_env = env or {}
        self.proc: subprocess.Popen | None = None

    def start(self) -> WorkerProcess:
        from caricc_portal.celery import app

        env = {
            **os.environ,
            "DATABASE_URL": _database_url_for_worker(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "PRIVATE_ROOT": str(settings.PRIVATE_ROOT),
            "CONN_MAX_AGE": "0",
            **self.extra_env,
        }
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "caricc_portal",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "-Q",
                self.queues,
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"test-{os.getpid()}-{time.time_ns()}@%h",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            if app.control.ping(timeout=1.0):
                return self
            if self.proc.poll() is not None:
                raise RuntimeError("The Celery worker exited during start-up")
        raise RuntimeError("The Celery worker did not answer a ping within 60 s")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def celery_worker_process(transactional_db, settings):
    """Start a real worker (needs PostgreSQL and CELERY_BROKER_URL); yields a WorkerProcess.

    The test must use committed data (this fixture implies transactional_db),
    since the worker is another process on its own connection.
    """
    from caricc_portal.celery import app

    if not settings.CELERY_BROKER_URL or not settings.IS_POSTGRES:
        pytest.skip("needs PostgreSQL and a Redis broker (CELERY_BROKER_URL)")
    app.conf.task_always_eager = False
    app.control.purge()
    worker = WorkerProcess().start()
    yield worker
    worker.stop()
    app.conf.task_always_eager = True


# --- the browser ------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser build)."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser page; `page.base_url` is the live server's address."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def browser_login():
    """`browser_login(page, user)`: sign in through the real login form."""

    def _login(page, user, password: str = PASSWORD):
        page.goto("/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("button[type=submit]:has-text('Sign in')")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    return _login


def pytest_collection_modifyitems(config, items):
    """Skip tests marked `postgres` on SQLite (row locks, full-text search...)."""
    if settings.IS_POSTGRES:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
