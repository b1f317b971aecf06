"""`make bench`: the change feed and `?updated_since=` against the inbox, at bench_intel's scale.

    python manage.py bench_sync [--repeat 30] [--sparse YA] [--no-http] [--explain]

Issue 16's target: the change feed and `updated_since` pages cost the same queries
at 50 and 500 rows and stay within 2x of the inbox page at 1,000,000 records.

Runs on bench_intel's database (its BENCH- records, its states and users, its sparse
states; run bench_intel first). The seeded records were written by SQL, so they
have no change events: the command writes the feed a partner would have met (one
upsert per record in creation order, and a tombstone for a state per 1,000 records
and state, interleaved), measures, and deletes exactly those events again (also on
failure). It also issues one partner token per measured state and revokes it.

Measured per user (the 8% state and a sparse state), interleaved round-robin in one
run (intel.benchmarks.timed): the API inbox's first page (50 rows), the change
feed's first page, a page from a cursor in the middle and one near the head, and
the records collection with `?updated_since=` a recent cutoff (the last day) and an
old one (nearly everything). In-process (Django's test client, token-authenticated
as partners call) and over HTTP (gunicorn, intel.benchmarks.Server). Then the
queries per page at page sizes 50 and 500, and with --explain the plans of the
feed's and the collection's queries.
"""

from __future__ import annotations

import os
import statistics
from datetime import timedelta
from urllib.parse import quote

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from intel import benchmarks
from intel.management.commands.bench_intel import PREFIX, SECRET
from intel.management.commands.bench_intel import Command as BenchIntel
from intel.models import IntelRecord
from members.models import APIToken, State
from sync.models import ChangeEvent

FEED = "/api/v1/changes/"
RECORDS = "/api/v1/intel/records/"

# The feed a partner meets: an upsert per bench record (creation order, `at` = its
# update time) and, interleaved, a tombstone for a state for one record in 1,000 per state.
SEED_EVENTS_SQL = """
INSERT INTO sync_changeevent (kind, object_id, op, state_id, at)
SELECT 'intel.record', e.object_id, e.op, e.state_id, e.at
FROM (
    SELECT r.id AS object_id, 'upsert' AS op, NULL::bigint AS state_id, r.updated_at AS at, 0 AS ord
    FROM intel_intelrecord r WHERE r.reference LIKE %(prefix)s
    UNION ALL
    SELECT r.id, 'tombstone', s.id, r.updated_at, 1
    FROM intel_intelrecord r JOIN members_state s ON ((r.id::bigint * 2654435761 + s.id * 40503) %% 1000) = 0
    WHERE r.reference LIKE %(prefix)s
) e
ORDER BY e.at, e.ord, e.object_id
"""


class Command(BaseCommand):
    help = "Time the change feed and ?updated_since= against the API inbox on bench_intel's database."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=30, help="timed requests per figure")
        parser.add_argument(
            "--sparse", default="YA", choices=sorted(benchmarks.SPARSE_STATES), help="the sparse state measured"
        )
        parser.add_argument("--no-http", action="store_true", help="skip the gunicorn measures")
        parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the feed and filter")

    def handle(self, *args, repeat: int, sparse: str, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_sync needs PostgreSQL (bench_intel's database).")
        total = IntelRecord.objects.filter(reference__startswith=PREFIX).count()
        sparse_state = State.objects.filter(code=sparse).first()
        if not total or sparse_state is None:
            raise CommandError("No bench records or sparse states: run bench_intel first.")
        if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        states, users = BenchIntel().ensure_states_and_users()  # existing: nothing is written
        chosen = [(states[1], users[1]), (sparse_state, benchmarks.officer_of(sparse_state))]
        watermark = ChangeEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        issued: list[str] = []  # this run's tokens only: another bench may be using its own
        try:
            span = self.seed_events(watermark)
            personas = []
            for state, user in chosen:
                seen = IntelRecord.objects.visible_to(user).count()
                label = f"{100 * seen / total:.2g}% ({state.code})"
                issued.append(benchmarks.partner_token(state))
                personas.append(benchmarks.Persona(label, user, token=issued[-1]))
            paths = self.paths(span)
            load = os.getloadavg()
            out = [
                f"Records: {total:,} · change events written for the bench: {span[2]:,} · repeat: {repeat}",
                f"Load average when the measures started: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}",
                "",
            ]
            self.stdout.write("\n".join(out))
            self.stdout.write("\n".join(self.in_process(personas, paths, repeat)))
            if not options["no_http"]:
                self.stdout.write("\n".join(self.over_http(personas, paths, repeat)))
            self.stdout.write("\n".join(self.query_counts(personas, paths)))
            if options["explain"]:
                self.stdout.write("\n".join(self.explain(personas, paths)))
            load = os.getloadavg()
            self.stdout.write(f"Load average at the end: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")
        finally:
            self.cleanup(watermark, issued)

    # --- data ------------------------------------------------------------------

    def seed_events(self, watermark: int) -> tuple[int, int, int]:
        """Write the bench feed after `watermark`; (first id, last id, count)."""
        self.stderr.write("Writing the change events of the bench records...")
        with connection.cursor() as cur:
            cur.execute(SEED_EVENTS_SQL, {"prefix": PREFIX + "%"})
            cur.execute(
                "SELECT min(id), max(id), count(*) FROM sync_changeevent WHERE id > %s AND kind = 'intel.record'",
                [watermark],
            )
            first, last, count = cur.fetchone()
            cur.execute("ANALYZE sync_changeevent")
        return first, last, count

    def cleanup(self, watermark: int, issued: list[str]) -> None:
        """Delete the events this run wrote (ids after the watermark, of bench records) and its tokens."""
        with connection.cursor() as cur:
            cur.execute(
                "DELETE FROM sync_changeevent e USING intel_intelrecord r "
                "WHERE e.id > %s AND e.kind = 'intel.record' AND r.id = e.object_id AND r.reference LIKE %s",
                [watermark, PREFIX + "%"],
            )
            self.stderr.write(f"Deleted the {cur.rowcount:,} bench change events.")
            cur.execute("VACUUM ANALYZE sync_changeevent")
        for raw in issued:
            token = APIToken.find(raw)
            if token is not None:
                token.delete()

    def paths(self, span: tuple[int, int, int]) -> dict[str, str]:
        first, last, _count = span
        newest = IntelRecord.objects.filter(reference__startswith=PREFIX).order_by("-updated_at").first().updated_at
        oldest = IntelRecord.objects.filter(reference__startswith=PREFIX).order_by("updated_at").first().updated_at
        recent = quote((newest - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"))
        old = quote((oldest + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"))
        return {
            "API inbox": f"{RECORDS}?inbox=true&",
            "feed, first page": f"{FEED}?after=0&",
            "feed, middle cursor": f"{FEED}?after={(first + last) // 2}&",
            "feed, near the head": f"{FEED}?after={last - 5000}&",
            "updated_since, last day": f"{RECORDS}?updated_since={recent}&",
            "updated_since, old cutoff": f"{RECORDS}?updated_since={old}&",
        }

    # --- measures ----------------------------------------------------------------

    def table(self, title: str, personas, paths, times) -> list[str]:
        names = list(paths)
        out = [title, "", "| user | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
        for i, p in enumerate(personas):
            row = times[i * len(names) : (i + 1) * len(names)]
            inbox = statistics.median(row[0])
            cells = [benchmarks.fmt(row[0])] + [
                f"{benchmarks.fmt(t)}, {statistics.median(t) / inbox:.2f}x" for t in row[1:]
            ]
            out.append(f"| {p.label} | " + " | ".join(cells) + " |")
        out += ["", "(each figure: median (p95); ratio to the same user's inbox page)", ""]
        return out

    def in_process(self, personas, paths, repeat: int) -> list[str]:
        def call(client: Client, url: str) -> None:
            response = client.get(url)
            if response.status_code != 200:
                raise CommandError(f"GET {url} answered {response.status_code}: {response.content[:200]!r}")

        fns = []
        for p in personas:
            client = Client(HTTP_AUTHORIZATION=f"Token {p.token}")
            fns += [(lambda c=client, u=f"{u}page_size=50": call(c, u)) for u in paths.values()]
        times = benchmarks.timed(fns, repeat)
        return self.table("### In-process (Django test client, a partner token), pages of 50", personas, paths, times)

    def over_http(self, personas, paths, repeat: int) -> list[str]:
        server = benchmarks.Server(SECRET)
        try:
            fns = []
            for p in personas:
                client = benchmarks.HttpClient(server, token=p.token)
                fns += [(lambda c=client, u=f"{u}page_size=50": c.get(u)) for u in paths.values()]
            times = benchmarks.timed(fns, repeat)
        finally:
            server.stop()
        return self.table(
            f"### Over HTTP (gunicorn 2 workers x 3 threads, port {server.port}), pages of 50", personas, paths, times
        )

    def query_counts(self, personas, paths) -> list[str]:
        out = ["### Queries per page at page sizes 50 and 500", "", "| user | page | 50 | 500 |", "|---|---|---|---|"]
        for p in personas:
            client = Client(HTTP_AUTHORIZATION=f"Token {p.token}")
            for name, url in paths.items():
                counts = []
                for size in (50, 500):
                    client.get(f"{url}page_size={size}")  # once-a-minute writes (a token's last use) aside
                    with CaptureQueriesContext(connection) as ctx:
                        assert client.get(f"{url}page_size={size}").status_code == 200
                    counts.append(len(ctx.captured_queries))
                mark = "" if counts[0] == counts[1] else " (differs)"
                out.append(f"| {p.label} | {name} | {counts[0]} | {counts[1]}{mark} |")
        out.append("")
        return out

    def explain(self, personas, paths) -> list[str]:
        """The plan of the slowest query of each feed and updated_since page (and the inbox), per user."""
        out = ["### Plans (EXPLAIN ANALYZE of the slowest query of each page of 50)", ""]
        for p in personas:
            client = Client(HTTP_AUTHORIZATION=f"Token {p.token}")
            for name, url in paths.items():
                with CaptureQueriesContext(connection) as ctx:
                    client.get(f"{url}page_size=50")
                slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]))
                with connection.cursor() as cur:
                    cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
                    plan = "\n".join(row[0] for row in cur.fetchall())
                out += [f"{p.label} · {name} ({slowest['time']} s):", "```", slowest["sql"], plan, "```", ""]
        return out
