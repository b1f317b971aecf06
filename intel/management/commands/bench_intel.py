"""`make bench`: seed N intel records across 30 states and time an officer's inbox.

    python manage.py bench_intel [--records 1000000] [--repeat 40] [--reseed]

PostgreSQL only (the figures mean nothing on SQLite). Seeding is set-based SQL
(INSERT ... SELECT generate_series), tagged with the reference prefix BENCH-,
and reused on the next run when the same number of records is already there.
Use a dedicated database: the command adds 30 states and 30 users to it.

For a user whose state sees ~8% of the records and one whose state sees ~40%, it
prints: median and p95 of the first inbox page (50 rows) through the API and the
UI (full middleware stack, session-authenticated, via Django's test client), the
same rows by hand-written SQL (the floor), the ORM visibility query against that
floor, queries per page at page sizes 50 and 500, and a deep page by cursor
against the first.
"""

from __future__ import annotations

import base64
import os
import platform
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.sharing import permission_id, user_group_ids
from intel import benchmarks
from intel.models import IntelRecord, IntelRecordGroupObjectPermission
from members.models import APIToken, State, User
from members.roles import Role

# The server the bench starts signs its sessions with this key (the bench's own sessions too).
SECRET = benchmarks.new_secret()
STATE_COUNT = 30
PREFIX = "BENCH-"
# Per mille of the other states' records each state receives. State 0 ends up
# seeing ~40% (3.3% own + 36.7%), state 1 ~8% (3.3% own + 4.6%), the rest ~5%.
THRESHOLDS = {0: 380, 1: 48}
DEFAULT_THRESHOLD = 20


def _codes() -> list[str]:
    letters = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    return [f"Q{x}" for x in letters] + [f"X{x}" for x in letters][: STATE_COUNT - 26]


# The recipient rows core.sharing.grant() would have written for the bench grants (set-based).
RECIPIENT_ROWS_SQL = """
    INSERT INTO intel_intelrecordrecipient
        (group_id, content_object_id, created_at, owner_state_id, own, status, updated_at)
    SELECT g.group_id, g.content_object_id, r.created_at, r.originating_state_id,
           COALESCE(s.group_id = g.group_id, FALSE), r.status, r.updated_at
    FROM intel_intelrecordgroupobjectpermission g
    JOIN intel_intelrecord r ON r.id = g.content_object_id
    LEFT JOIN members_state s ON s.id = r.originating_state_id
    WHERE g.permission_id = %s AND r.reference LIKE %s
    ON CONFLICT DO NOTHING
"""


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


class Command(BaseCommand):
    help = "Seed N intel records across 30 states and benchmark the inbox (API, UI, SQL floor)."

    def add_arguments(self, parser):
        parser.add_argument("--records", type=int, default=1_000_000)
        parser.add_argument("--repeat", type=int, default=40, help="timed requests per figure")
        parser.add_argument("--reseed", action="store_true", help="drop the bench records and seed again")
        parser.add_argument("--no-http", action="store_true", help="skip the gunicorn measures")
        parser.add_argument("--clients", type=int, default=4, help="concurrent clients of the throughput measure")
        parser.add_argument("--seconds", type=float, default=30.0, help="duration of each throughput measure")
        parser.add_argument("--details", action="store_true", help="also the per-state detail tables (floor, ORM)")
        parser.add_argument(
            "--baseline",
            type=Path,
            help="a checkout of an earlier commit (git worktree add DIR COMMIT): its API inbox throughput and "
            "CPU per request beside this code's, alternately",
        )

    def handle(self, *args, records: int, repeat: int, reseed: bool, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_intel needs PostgreSQL (set DATABASE_URL to a dedicated database).")
        if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        states, users = self.ensure_states_and_users()
        self.seed(records, states, users, reseed)
        out = [
            f"Machine: {platform.node()} · {platform.processor() or platform.machine()} · "
            f"{_cpu_count()} CPU · PostgreSQL {connection.cursor().connection.info.server_version}",
            f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · records: {records:,} · "
            f"grants: {IntelRecordGroupObjectPermission.objects.count():,} · repeat: {repeat}",
            "",
        ]
        view = permission_id(IntelRecord, "view")
        sparse = benchmarks.seed_sparse_states(PREFIX, view, self.stderr)
        personas = self.personas(sparse, states, users, records)
        load = os.getloadavg()
        out.insert(2, f"Load average when the measures started: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")
        self.stdout.write("\n".join(out))
        out = []
        dense = next(p for p in personas if p.user == users[1])
        centre = next(p for p in personas if p.label == "coordinator")
        out += benchmarks.in_process_section(personas, dense, repeat)
        self.stdout.write("\n".join(out))
        if not options["no_http"]:
            out = benchmarks.http_section(
                personas, dense, centre, states[2], SECRET, repeat, options["clients"], options["seconds"]
            )
            self.stdout.write("\n".join(out))
        if options["baseline"]:
            tree = options["baseline"].resolve()
            out = benchmarks.baseline_section(dense, SECRET, tree, options["clients"], options["seconds"])
            self.stdout.write("\n".join(out))
        if options["details"]:
            out = []
            for idx in (1, 0):
                out += self.measure(users[idx], states[idx], repeat, records)
            self.stdout.write("\n".join(out))

    def personas(self, sparse, states, users, total: int) -> list[benchmarks.Persona]:
        """0.01%, 0.1%, 1%, 8% and 40% visibility, a coordinator, and KZ when bench_reports
        seeded it (its own records many, none received: the inbox that used to walk everything)."""
        out = []
        chosen = [(s, benchmarks.officer_of(s)) for s in sparse] + [(states[1], users[1]), (states[0], users[0])]
        kz = State.objects.filter(code="KZ").first()
        if kz is not None and IntelRecord.objects.filter(originating_state=kz).exists():
            chosen.append((kz, benchmarks.officer_of(kz)))
        for state, user in chosen:
            seen = IntelRecord.objects.visible_to(user).count()
            label = f"{100 * seen / total:.2g}% ({state.code})"
            if state.code == "KZ":
                inbox = IntelRecord.objects.visible_to(user).from_other_states(user).count()
                label = f"KZ: sees {seen:,} (its own), inbox {inbox:,}"
            out.append(
                benchmarks.Persona(
                    label, user, token=benchmarks.partner_token(state), session=benchmarks.session_key(user, SECRET)
                )
            )
        centre = benchmarks.coordinator()
        out.append(benchmarks.Persona("coordinator", centre, session=benchmarks.session_key(centre, SECRET)))
        return out

    # --- data ------------------------------------------------------------------

    def ensure_states_and_users(self):
        officer_group = Group.objects.get(name=Role.LIAISON_OFFICER)
        states, users = [], []
        for i, code in enumerate(_codes()):
            state = State.objects.filter(code=code).first()
            if state is None:
                state = State(
                    code=code,
                    name_en=f"Bench state {code}",
                    name_ru=f"Тестовое государство {code}",
                    status=State.Status.MEMBER if i < 7 else State.Status.OBSERVER,
                )
                state.save()
            user, _created = User.objects.get_or_create(username=f"bench-{code.lower()}", defaults={"state": state})
            if user.state_id != state.pk:
                user.state = state
                user.save()
            user.groups.add(officer_group)
            states.append(state)
            users.append(user)
        return states, users

    def seed(self, n: int, states, users, reseed: bool) -> None:
        existing = IntelRecord.objects.filter(reference__startswith=PREFIX).count()
        if existing == n and not reseed:
            self.stderr.write(f"Reusing {existing:,} seeded records.")
            return
        t0 = time.perf_counter()
        view, change, share = (permission_id(IntelRecord, a) for a in ("view", "change", "share"))
        with transaction.atomic(), connection.cursor() as cur:
            if existing:
                self.stderr.write(f"Dropping {existing:,} bench records...")
                cur.execute(
                    "DELETE FROM intel_intelrecordrecipient g USING intel_intelrecord r "
                    "WHERE g.content_object_id = r.id AND r.reference LIKE %s",
                    [PREFIX + "%"],
                )
                cur.execute(
                    "DELETE FROM intel_intelrecordgroupobjectpermission g USING intel_intelrecord r "
                    "WHERE g.content_object_id = r.id AND r.reference LIKE %s",
                    [PREFIX + "%"],
                )
                cur.execute("DELETE FROM intel_intelrecord WHERE reference LIKE %s", [PREFIX + "%"])
            cur.execute("DROP TABLE IF EXISTS bench_states")
            cur.execute(
                "CREATE TEMP TABLE bench_states (idx int, state_id int, group_id int, author_id int, threshold int)"
            )
            cur.executemany(
                "INSERT INTO bench_states VALUES (%s, %s, %s, %s, %s)",
                [
                    (i, s.pk, s.group_id, users[i].pk, THRESHOLDS.get(i, DEFAULT_THRESHOLD))
                    for i, s in enumerate(states)
                ],
            )
            start = datetime.now(UTC) - timedelta(seconds=20 * n)
            self.stderr.write(f"Seeding {n:,} records...")
            cur.execute(
                """
                INSERT INTO intel_intelrecord (reference, kind, title, summary, body, originating_state_id,
                    author_id, created_at, updated_at, status, tlp, handling_code, handling_note, classification,
                    source_reliability, information_credibility, search_vector)
                SELECT %(prefix)s || lpad(i::text, 7, '0'),
                    (ARRAY['seizure','rfi','response','analysis','alert','general'])[1 + i %% 6],
                    t.title, 'Summary of bench record ' || i, 'Body of bench record ' || i || '. ' || t.title,
                    s.state_id, s.author_id,
                    %(start)s::timestamptz + i * interval '20 seconds',
                    %(start)s::timestamptz + i * interval '20 seconds',
                    CASE WHEN i %% 50 = 0 THEN 'archived' ELSE 'active' END,
                    (ARRAY['CLEAR','GREEN','AMBER','AMBER+STRICT','RED'])[1 + i %% 5],
                    (ARRAY['H0','H1','H2'])[1 + i %% 3], '', 'restricted',
                    (ARRAY['A','B','C','D','E','F'])[1 + i %% 6], ((i %% 6) + 1)::text,
                    to_tsvector('simple', t.title || ' Summary of bench record ' || i)
                FROM generate_series(1, %(n)s) AS i
                JOIN bench_states s ON s.idx = i %% %(states)s
                CROSS JOIN LATERAL (SELECT 'Seizure of '
                    || (ARRAY['heroin','opium','hashish','cocaine','methamphetamine','mephedrone'])[1 + i %% 6]
                    || ' at ' || (ARRAY['border','airport','seaport','rail','road','post'])[1 + (i / 7) %% 6]
                    AS title) t
                """,
                {"prefix": PREFIX, "start": start, "n": n, "states": STATE_COUNT},
            )
            self.stderr.write(f"  records in {time.perf_counter() - t0:.0f} s; originator grants...")
            cur.execute(
                """
                INSERT INTO intel_intelrecordgroupobjectpermission (group_id, permission_id, content_object_id)
                SELECT s.group_id, p.id, r.id
                FROM intel_intelrecord r
                JOIN bench_states s ON s.state_id = r.originating_state_id
                CROSS JOIN (VALUES (%s), (%s), (%s)) AS p(id)
                WHERE r.reference LIKE %s
                """,
                [view, change, share, PREFIX + "%"],
            )
            self.stderr.write(f"  originator grants in {time.perf_counter() - t0:.0f} s; recipient grants...")
            cur.execute(
                """
                INSERT INTO intel_intelrecordgroupobjectpermission (group_id, permission_id, content_object_id)
                SELECT s.group_id, %s, r.id
                FROM intel_intelrecord r
                JOIN bench_states s ON s.state_id <> r.originating_state_id
                WHERE r.reference LIKE %s
                  AND ((r.id::bigint * 2654435761 + s.idx * 40503) %% 1000) < s.threshold
                """,
                [view, PREFIX + "%"],
            )
            self.stderr.write(f"  grants in {time.perf_counter() - t0:.0f} s; recipient rows...")
            cur.execute(RECIPIENT_ROWS_SQL, [view, PREFIX + "%"])
        self.stderr.write(f"  recipient rows in {time.perf_counter() - t0:.0f} s; VACUUM ANALYZE...")
        with connection.cursor() as cur:
            # VACUUM sets the visibility map, so the grant probe is index-only.
            cur.execute("VACUUM ANALYZE intel_intelrecord")
            cur.execute("VACUUM ANALYZE intel_intelrecordgroupobjectpermission")
            cur.execute("VACUUM ANALYZE intel_intelrecordrecipient")
        self.stderr.write(f"Seeded in {time.perf_counter() - t0:.0f} s.")

    # --- measures ------------------------------------------------------------------

    def partner_client(self, state) -> Client:
        """A client with a real API token of a partner system of `state` (how partners call the API)."""
        partner, _created = User.objects.get_or_create(
            username=f"bench-partner-{state.code.lower()}", defaults={"state": state}
        )
        partner.groups.add(Group.objects.get(name=Role.PARTNER_SYSTEM))
        _token, raw = APIToken.issue(partner, name="bench", lifetime_days=1)
        return Client(HTTP_AUTHORIZATION=f"Token {raw}")

    def measure(self, user, state, repeat: int, total: int) -> list[str]:
        client = Client()
        client.force_login(user)
        partner = self.partner_client(state)
        view_id = permission_id(IntelRecord, "view")
        groups = user_group_ids(user)
        visible = IntelRecord.objects.visible_to(user).count()
        inbox_visible = IntelRecord.objects.visible_to(user).exclude(originating_state=state).count()

        api_url = "/api/v1/intel/records/?inbox=true&page_size=50"
        ui_url = "/intel/?page_size=50"

        def api():
            r = partner.get(api_url)
            assert r.status_code == 200, r.status_code
            return r

        def api_session():
            r = client.get(api_url)
            assert r.status_code == 200, r.status_code
            return r

        def ui():
            r = client.get(ui_url)
            assert r.status_code == 200, r.status_code
            return r

        floor_sql = """
            SELECT r.id, r.reference, r.kind, r.title, r.summary, r.created_at, r.updated_at, r.status, r.tlp,
                   r.handling_code, r.handling_note, r.classification, r.source_reliability,
                   r.information_credibility, s.id, s.code
            FROM intel_intelrecord r JOIN members_state s ON s.id = r.originating_state_id
            WHERE r.originating_state_id <> %s
              AND EXISTS (SELECT 1 FROM intel_intelrecordgroupobjectpermission g
                          WHERE g.content_object_id = r.id AND g.permission_id = %s AND g.group_id = ANY(%s))
            ORDER BY r.created_at DESC, r.id DESC LIMIT 51
        """

        def floor():
            with connection.cursor() as cur:
                cur.execute(floor_sql, [state.pk, view_id, groups])
                return cur.fetchall()

        def orm_qs():
            return (
                IntelRecord.objects.visible_to(user)
                .exclude(originating_state_id=state.pk)
                .select_related("originating_state")
                .order_by("-created_at", "-id")[:51]
            )

        orm_sql, orm_params = orm_qs().query.sql_with_params()

        def orm_db():
            with connection.cursor() as cur:
                cur.execute(orm_sql, orm_params)
                return cur.fetchall()

        def orm_full():
            return list(orm_qs())

        from intel.api.serializers import RecordListSerializer

        def orm_values():
            # As the API list runs it: the same query, plain values rows.
            return list(orm_qs().values(*RecordListSerializer.LIST_COLUMNS))

        assert [row[0] for row in floor()] == [row.pk for row in orm_full()], "floor and ORM disagree"

        t_floor, t_orm_db, t_orm_values, t_orm, t_api, t_api_session, t_ui = self.timed(
            [floor, orm_db, orm_values, orm_full, api, api_session, ui], repeat
        )

        counts = {}
        for size in (50, 500):
            for name, url in (
                ("API", f"/api/v1/intel/records/?inbox=true&page_size={size}"),
                ("UI", f"/intel/?page_size={size}"),
            ):
                with CaptureQueriesContext(connection) as ctx:
                    assert (partner if name == "API" else client).get(url).status_code == 200
                counts[(name, size)] = len(ctx.captured_queries)

        # A deep page: the position half-way down the inbox (capped at 200,000 rows).
        depth = min(inbox_visible // 2, 200_000)
        with connection.cursor() as cur:
            cur.execute(floor_sql.replace("LIMIT 51", "OFFSET %s LIMIT 1"), [state.pk, view_id, groups, depth])
            deep_id = cur.fetchone()[0]
        deep_row = IntelRecord.objects.only("created_at").get(pk=deep_id)
        position = str(deep_row.created_at)
        cursor = base64.b64encode(urlencode({"p": position}).encode()).decode()
        deep_api_url = f"{api_url}&{urlencode({'cursor': cursor})}"
        deep_ui_url = f"{ui_url}&{urlencode({'after': f'{deep_row.created_at.isoformat()}_{deep_row.pk}'})}"
        first_ids = [r["id"] for r in api().json()["results"]]
        deep_ids = [r["id"] for r in partner.get(deep_api_url).json()["results"]]
        assert deep_ids and deep_ids[0] != first_ids[0], "deep page did not move"
        t_first_api, t_deep_api, t_first_ui, t_deep_ui = self.timed(
            [api, lambda: partner.get(deep_api_url), ui, lambda: client.get(deep_ui_url)], repeat
        )

        def fmt(values):
            return f"{statistics.median(values):.1f} ms median, {pct(values, 95):.1f} ms p95"

        m = statistics.median
        return [
            f"### State {state.code}: sees {visible:,} of {total:,} records ({100 * visible / total:.1f}%), "
            f"inbox {inbox_visible:,}",
            "",
            "| measure | figure |",
            "|---|---|",
            f"| SQL floor (hand-written, first 50 rows) | {fmt(t_floor)} |",
            f"| ORM visibility query, database only | {fmt(t_orm_db)} "
            f"(ratio to floor {m(t_orm_db) / m(t_floor):.2f}x) |",
            f"| ORM visibility query with values rows (as the API) | {fmt(t_orm_values)} "
            f"(ratio to floor {m(t_orm_values) / m(t_floor):.2f}x) |",
            f"| ORM visibility query with model instances (as the UI) | {fmt(t_orm)} "
            f"(ratio to floor {m(t_orm) / m(t_floor):.2f}x) |",
            f"| API first page (50), partner token | {fmt(t_api)} (ratio to floor {m(t_api) / m(t_floor):.1f}x) |",
            f"| API first page (50), browser session | {fmt(t_api_session)} |",
            f"| UI inbox first page (50) | {fmt(t_ui)} (ratio to floor {m(t_ui) / m(t_floor):.1f}x) |",
            f"| API queries per page, 50 / 500 rows | {counts[('API', 50)]} / {counts[('API', 500)]} |",
            f"| UI queries per page, 50 / 500 rows | {counts[('UI', 50)]} / {counts[('UI', 500)]} |",
            f"| API deep page by cursor ({depth:,} rows down) | {fmt(t_deep_api)} "
            f"(first page in the same run {m(t_first_api):.1f} ms: ratio {m(t_deep_api) / m(t_first_api):.2f}x) |",
            f"| UI deep page by keyset ({depth:,} rows down) | {fmt(t_deep_ui)} "
            f"(first page in the same run {m(t_first_ui):.1f} ms: ratio {m(t_deep_ui) / m(t_first_ui):.2f}x) |",
            "",
        ]

    @staticmethod
    def timed(fns, repeat: int) -> list[list[float]]:
        """Time each function `repeat` times, interleaved round-robin.

        On a shared machine the load comes and goes; interleaving exposes every
        measure to the same load, so the ratios between them stay meaningful.
        """
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


def _cpu_count() -> int:
    import os

    return os.cpu_count() or 0
