"""The parts of `manage.py bench_intel` that measure every kind of user, every filter,
the home page and throughput, in-process and over real HTTP (gunicorn).

Kept apart from the command so the command reads as "seed, then measure", and so
the HTTP client and the server lifecycle are in one place.

On a shared machine the load comes and goes: every figure here is interleaved
round-robin with the others of its table (`timed`), and throughput is always
given beside a trivial view's throughput in the same run.
"""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from members.models import APIToken, State, User
from members.roles import Role

# Visibility levels the bench seeds for states that own no records: per 100,000 of
# the bench records each one receives.
SPARSE_STATES = {"YA": 10, "YB": 100, "YC": 1000}  # 0.01%, 0.1%, 1%


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def timed(fns: list[Callable[[], object]], repeat: int) -> list[list[float]]:
    """Time each function `repeat` times (ms), interleaved round-robin after 3 warm-ups each."""
    for fn in fns:
        for _ in range(3):
            fn()
    out: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            t = time.perf_counter()
            fn()
            out[i].append((time.perf_counter() - t) * 1000)
    return out


def fmt(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} ms (p95 {pct(values, 95):.1f})"


@dataclass
class Persona:
    """A kind of user the bench measures: a label, the user, and how it authenticates."""

    label: str
    user: User
    token: str | None = None  # API token of a partner system of the user's state
    session: str | None = None  # session key (for the UI, the home page, a centre role's API)


# --- data ---------------------------------------------------------------------------


def seed_sparse_states(prefix: str, view_permission_id: int, stderr) -> list[State]:
    """States that own no record and receive 0.01%, 0.1% and 1% of the bench records
    (grants and recipient rows, set-based; once)."""
    states = []
    for salt, (code, per_100k) in enumerate(SPARSE_STATES.items(), start=1):
        state = State.objects.filter(code=code).first()
        if state is None:
            state = State(code=code, name_en=f"Sparse state {code}", name_ru=f"Тестовое государство {code}")
            state.save()
        states.append(state)
        with connection.cursor() as cur:
            cur.execute("SELECT 1 FROM intel_intelrecordrecipient WHERE group_id = %s LIMIT 1", [state.group_id])
            if cur.fetchone():
                continue
            stderr.write(f"Sharing {per_100k / 1000:g}% of the bench records with {code}...")
            cur.execute(
                """
                INSERT INTO intel_intelrecordgroupobjectpermission (group_id, permission_id, content_object_id)
                SELECT %s, %s, r.id FROM intel_intelrecord r
                WHERE r.reference LIKE %s AND ((r.id::bigint * 2654435761 + %s * 7919) %% 100000) < %s
                ON CONFLICT DO NOTHING
                """,
                [state.group_id, view_permission_id, prefix + "%", salt, per_100k],
            )
            cur.execute(
                """
                INSERT INTO intel_intelrecordrecipient
                    (group_id, content_object_id, created_at, owner_state_id, own, status, updated_at)
                SELECT g.group_id, g.content_object_id, r.created_at, r.originating_state_id, FALSE, r.status,
                       r.updated_at
                FROM intel_intelrecordgroupobjectpermission g JOIN intel_intelrecord r ON r.id = g.content_object_id
                WHERE g.group_id = %s AND g.permission_id = %s
                ON CONFLICT DO NOTHING
                """,
                [state.group_id, view_permission_id],
            )
            cur.execute("ANALYZE intel_intelrecordrecipient")
    return states


def officer_of(state: State) -> User:
    user, _created = User.objects.get_or_create(username=f"bench-{state.code.lower()}", defaults={"state": state})
    if user.state_id != state.pk:
        user.state = state
        user.save()
    user.groups.add(Group.objects.get(name=Role.LIAISON_OFFICER))
    return user


def coordinator() -> User:
    user, _created = User.objects.get_or_create(username="bench-coordinator")
    user.groups.add(Group.objects.get(name=Role.COORDINATOR))
    return user


def partner_token(state: State) -> str:
    """A real API token of a partner system of `state` (how partners call the API)."""
    partner, _created = User.objects.get_or_create(
        username=f"bench-partner-{state.code.lower()}", defaults={"state": state}
    )
    partner.groups.add(Group.objects.get(name=Role.PARTNER_SYSTEM))
    _token, raw = APIToken.issue(partner, name="bench", lifetime_days=1)
    return raw


def session_key(user: User, secret_key: str) -> str:
    """A logged-in session in the database, signed with the server's secret key."""
    with override_settings(SECRET_KEY=secret_key):
        client = Client()
        client.force_login(user)
        return client.cookies[settings.SESSION_COOKIE_NAME].value


# --- the server --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with production settings (caricc_portal.settings_bench) on a free port, 2 workers x 3 threads.

    `tree`: serve the code of another checkout instead (a git worktree of an earlier
    commit, for a before/after in the same run), with `settings_module`.
    """

    def __init__(
        self,
        secret_key: str,
        workers: int = 2,
        threads: int = 3,
        tree: Path | None = None,
        settings_module: str = "caricc_portal.settings_bench",
    ):
        self.port = free_port()
        db = settings.DATABASES["default"]
        url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings_module,
            "SECRET_KEY": secret_key,
            "DATABASE_URL": os.environ.get("DATABASE_URL", url),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Plain HTTP on the loopback: no TLS proxy in front, no second factor for the bench users.
            "SECURE_SSL_REDIRECT": "False",
            "REQUIRE_2FA": "False",
            "API_THROTTLE_RATE_TOKEN": "100000000/hour",
            "API_THROTTLE_RATE_USER": "100000000/hour",
            "LOG_LEVEL": "WARNING",
        }
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.proc = subprocess.Popen(  # noqa: S603 - a fixed argv: our gunicorn, our settings
            [
                gunicorn,
                "caricc_portal.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=tree or settings.BASE_DIR,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.get("/healthz", {})[0] == 200:
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not answer /healthz within 60 s")

    def get(self, path: str, headers: dict[str, str], conn: http.client.HTTPConnection | None = None):
        own = conn is None
        conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            return response.status, body
        finally:
            if own:
                conn.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


class HttpClient:
    """A keep-alive connection to the server, authenticated by an API token or a session."""

    def __init__(self, server: Server, token: str | None = None, session: str | None = None):
        self.server = server
        self.headers = {"Host": "127.0.0.1"}
        if token:
            self.headers["Authorization"] = f"Token {token}"
        if session:
            self.headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={session}"
        self.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)

    def get(self, path: str) -> bytes:
        try:
            status, body = self.server.get(path, self.headers, self.conn)
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
            status, body = self.server.get(path, self.headers, self.conn)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}: {body[:200]!r}")
        return body


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_cpu() -> dict[int, tuple[str, int, float]]:
    """Every process's (command name, process group, CPU seconds) from /proc (Linux)."""
    table: dict[int, tuple[str, int, float]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                raw = f.read()
        except OSError:
            continue  # gone meanwhile
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        # After the name: state, ppid, pgrp, ... utime is field 14 and stime 15 of stat(5).
        table[int(entry.name)] = (name, int(fields[2]), (int(fields[11]) + int(fields[12])) / _TICK)
    return table


@dataclass
class Throughput:
    """Requests per second, and the CPU the server's processes and PostgreSQL spent per request."""

    rate: float
    app_cpu_ms: float | None  # gunicorn master and workers (the server's process group)
    db_cpu_ms: float | None  # every PostgreSQL process on the machine (other work included)


def throughput(server: Server, persona: Persona, path: str, clients: int, seconds: float) -> Throughput:
    """Requests per second that `clients` concurrent keep-alive clients get for `path`,
    with the CPU seconds per request of the server's processes and of PostgreSQL
    (from /proc; the clients run in this process and are not counted)."""
    counts = [0] * clients
    stop = time.monotonic() + seconds

    def run(i: int) -> None:
        client = HttpClient(server, persona.token, None if persona.token else persona.session)
        while time.monotonic() < stop:
            client.get(path)
            counts[i] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    readable = os.path.exists("/proc/self/stat")
    before = _proc_cpu() if readable else {}
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    total = sum(counts)
    if not readable or not total:
        return Throughput(total / elapsed, None, None)
    after = _proc_cpu()

    def spent(keep: Callable[[str, int], bool]) -> float:
        return sum(
            cpu - before.get(pid, (name, group, 0.0))[2]
            for pid, (name, group, cpu) in after.items()
            if keep(name, group)
        )

    app = spent(lambda name, group: group == server.proc.pid)
    db = spent(lambda name, group: name.startswith("postgres"))
    return Throughput(total / elapsed, 1000 * app / total, 1000 * db / total)


# --- the measures --------------------------------------------------------------------

API_INBOX = "/api/v1/intel/records/?inbox=true&page_size=50"
API_LIST = "/api/v1/intel/records/?page_size=50"
UI_INBOX = "/intel/?page_size=50"


def filter_queries(other_state: State) -> dict[str, str]:
    """Each filter the list offers, alone, with a value the bench data holds (and two combinations)."""
    today = timezone.localdate()
    month_ago = (today - timedelta(days=30)).isoformat()
    year_ago = (today - timedelta(days=365)).isoformat()
    return {
        "unfiltered": "",
        "kind=seizure": "kind=seizure",
        f"state={other_state.code}": f"state={other_state.code}",
        "substance=heroin": "substance=heroin",
        f"created_after={month_ago}": f"created_after={month_ago}",
        f"created_before={year_ago}": f"created_before={year_ago}",
        "tlp=AMBER": "tlp=AMBER",
        "status=archived": "status=archived",
        "q=heroin": "q=heroin",
        f"kind+state+created_before={year_ago}": f"kind=seizure&state={other_state.code}&created_before={year_ago}",
    }


def http_section(
    personas: list[Persona],
    dense: Persona,
    centre: Persona,
    other_state: State,
    secret_key: str,
    repeat: int,
    clients: int,
    seconds: float,
) -> list[str]:
    """First pages per persona, each filter, the home page and throughput over real HTTP."""
    server = Server(secret_key)
    try:
        out = [
            f"### Over HTTP: gunicorn 2 workers x 3 threads, production settings, port {server.port}",
            "",
            "First page of the API inbox (50 rows) and of the UI inbox, per kind of user:",
            "",
            "| user | sees | API inbox | ratio to 8% | UI inbox | home page | home / UI inbox |",
            "|---|---|---|---|---|---|---|",
        ]
        # The API as partners call it (a token; a centre role has a session), the UI with a session.
        api_clients = {p.label: HttpClient(server, p.token, None if p.token else p.session) for p in personas}
        ui_clients = {p.label: HttpClient(server, session=p.session) for p in personas}
        fns = []
        for p in personas:
            api, ui = api_clients[p.label], ui_clients[p.label]
            fns += [(lambda c=api: c.get(API_INBOX)), (lambda c=ui: c.get(UI_INBOX)), (lambda c=ui: c.get("/"))]
        times = timed(fns, repeat)
        dense_api = statistics.median(times[[p.label for p in personas].index(dense.label) * 3])
        for i, p in enumerate(personas):
            api, ui, home = times[3 * i : 3 * i + 3]
            out.append(
                f"| {p.label} | {p.user.username} | {fmt(api)} | {statistics.median(api) / dense_api:.2f}x | "
                f"{fmt(ui)} | {fmt(home)} | {statistics.median(home) / statistics.median(ui):.2f}x |"
            )
        out.append("")
        for who in (dense, centre):
            c = api_clients[who.label]
            queries = filter_queries(other_state)
            times = timed([(lambda q=q, c=c: c.get(f"{API_LIST}&{q}")) for q in queries.values()], repeat)
            base = statistics.median(times[0])
            out += [
                f"Each filter of the API records list alone, as {who.label}:",
                "",
                "| filter | first page | ratio to unfiltered |",
                "|---|---|---|",
            ]
            for name, t in zip(queries, times, strict=True):
                out.append(f"| {name} | {fmt(t)} | {statistics.median(t) / base:.2f}x |")
            out.append("")
        trivial = throughput(server, dense, "/healthz", clients, seconds)
        api = throughput(server, dense, API_INBOX, clients, seconds)
        trivial_after = throughput(server, dense, "/healthz", clients, min(seconds, 10))

        def cpu(t: Throughput) -> str:
            if t.app_cpu_ms is None:
                return "n/a | n/a"
            return f"{t.app_cpu_ms:.2f} ms | {t.db_cpu_ms:.2f} ms"

        out += [
            f"Throughput, {clients} clients for {seconds:g} s each (keep-alive); CPU per request of the",
            "gunicorn processes and of every PostgreSQL process on the machine (from /proc):",
            "",
            "| view | requests/s | gunicorn CPU / request | PostgreSQL CPU / request |",
            "|---|---|---|---|",
            f"| trivial view (/healthz), before | {trivial.rate:.0f} | {cpu(trivial)} |",
            f"| API inbox first page, {dense.label} | {api.rate:.0f} ({100 * api.rate / trivial.rate:.0f}% of the "
            f"trivial view) | {cpu(api)} |",
            f"| trivial view (/healthz), after | {trivial_after.rate:.0f} | {cpu(trivial_after)} |",
            "",
        ]
        return out
    finally:
        server.stop()


def baseline_section(dense: Persona, secret_key: str, tree: Path, clients: int, seconds: float) -> list[str]:
    """The API inbox's throughput and CPU per request served by this code and by the code
    in `tree` (an earlier commit's worktree, production settings), alternately, twice each."""
    runs: dict[str, list[Throughput]] = {"this code": [], f"{tree}": []}
    for _round in range(2):
        for label, kwargs in (
            ("this code", {}),
            (f"{tree}", {"tree": tree, "settings_module": "caricc_portal.settings_production"}),
        ):
            server = Server(secret_key, **kwargs)
            try:
                server_check = HttpClient(server, dense.token)
                server_check.get(API_INBOX)  # warm: imports, connections
                runs[label].append(throughput(server, dense, API_INBOX, clients, seconds))
            finally:
                server.stop()
    out = [
        f"### Before and after: the API inbox of {dense.label}, {clients} clients, {seconds:g} s per run, "
        "two runs each, alternating",
        "",
        "| code | requests/s | gunicorn CPU / request | PostgreSQL CPU / request |",
        "|---|---|---|---|",
    ]
    for label, results in runs.items():
        rates = ", ".join(f"{t.rate:.0f}" for t in results)
        app = ", ".join(f"{t.app_cpu_ms:.2f}" for t in results if t.app_cpu_ms is not None)
        db = ", ".join(f"{t.db_cpu_ms:.2f}" for t in results if t.db_cpu_ms is not None)
        out.append(f"| {label} | {rates} | {app} ms | {db} ms |")
    return [*out, ""]


def in_process_section(personas: list[Persona], dense: Persona, repeat: int) -> list[str]:
    """The same first pages through Django's test client (no network, no server)."""
    clients = {}
    for p in personas:
        if p.token:
            api = Client(HTTP_AUTHORIZATION=f"Token {p.token}")
        else:
            api = Client()
            api.force_login(p.user)
        ui = Client()
        ui.force_login(p.user)
        clients[p.label] = (api, ui)

    def call(client: Client, url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    fns = []
    for p in personas:
        api, ui = clients[p.label]
        fns += [(lambda c=api: call(c, API_INBOX)), (lambda c=ui: call(c, UI_INBOX)), (lambda c=ui: call(c, "/"))]
    times = timed(fns, repeat)
    dense_api = statistics.median(times[[p.label for p in personas].index(dense.label) * 3])
    out = [
        "### In-process (Django test client), the same pages",
        "",
        "| user | API inbox | ratio to 8% | UI inbox | home page |",
        "|---|---|---|---|---|",
    ]
    for i, p in enumerate(personas):
        api, ui, home = times[3 * i : 3 * i + 3]
        out.append(f"| {p.label} | {fmt(api)} | {statistics.median(api) / dense_api:.2f}x | {fmt(ui)} | {fmt(home)} |")
    out.append("")
    return out


def new_secret() -> str:
    return "bench-" + secrets.token_urlsafe(40)
