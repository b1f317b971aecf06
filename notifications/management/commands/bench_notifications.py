"""Benchmark of notifications: set-based fan-out and the bell count (docs/performance.md).

1. Fan-out: one record shared with every member and observer state when each bench
   state has 50 liaison officers (bench states WA..WX: 7 members, 17 observers);
   counts the queries of the whole share (constant: one INSERT ... SELECT per
   event) and compares with a share to one state. Rolled back afterwards.
2. The bell: a user with 1,000,000 notifications (a tenth unread) in the table;
   times `unread_count` (capped at 100 rows, partial index on unread rows).

Seeding is idempotent: a second run reuses the states, officers and notifications.
"""

from __future__ import annotations

import contextlib
import statistics
import time

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from members.models import State, User
from members.roles import Role
from notifications.models import Notification
from notifications.services import unread_count

MEMBER_CODES = [f"W{chr(ord('A') + i)}" for i in range(7)]
OBSERVER_CODES = [f"W{chr(ord('A') + i)}" for i in range(7, 24)]
MARKINGS = {
    "tlp": "GREEN",
    "handling_code": "H0",
    "classification": "unclassified",
    "source_reliability": "B",
    "information_credibility": "2",
}


class Rollback(Exception):
    """Raised to roll the measured fan-out back, so the bench leaves no rows behind."""


class Command(BaseCommand):
    help = "Measure the notification fan-out (queries) and the bell count (ms)."

    def add_arguments(self, parser):
        parser.add_argument("--officers", type=int, default=50, help="liaison officers per bench state")
        parser.add_argument("--notifications", type=int, default=1_000_000, help="rows for the bell user")
        parser.add_argument("--repeat", type=int, default=20)

    def handle(self, *args, officers: int, notifications: int, repeat: int, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_notifications needs PostgreSQL (DATABASE_URL)")
        states = self.seed_states(officers)
        # The bench sends no mail (the seeded officers' addresses are not real).
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            self.fan_out(states)
            self.bell(states, notifications, repeat)

    # --- seeding ---------------------------------------------------------------------

    def seed_states(self, per_state: int) -> list[State]:
        states = []
        for code in MEMBER_CODES + OBSERVER_CODES:
            status = State.Status.MEMBER if code in MEMBER_CODES else State.Status.OBSERVER
            state = State.objects.filter(code=code).first()
            if state is None:
                state = State(code=code, name_en=f"Bench {code}", name_ru=f"Стенд {code}", status=status)
                state.save()
            states.append(state)
        officer_group = Group.objects.get(name=Role.LIAISON_OFFICER)
        through = User.groups.through
        for state in states:
            have = User.objects.filter(state=state, username__startswith="bench-officer-").count()
            if have >= per_state:
                continue
            new = User.objects.bulk_create(
                [
                    User(
                        username=f"bench-officer-{state.code.lower()}-{i:03d}",
                        email=f"bench-officer-{state.code.lower()}-{i:03d}@bench.invalid",
                        state=state,
                        password=make_password(None),
                        is_active=True,
                    )
                    for i in range(have, per_state)
                ]
            )
            through.objects.bulk_create(
                [through(user_id=u.pk, group_id=gid) for u in new for gid in (state.group_id, officer_group.pk)],
                ignore_conflicts=True,
            )
        return states

    # --- 1. fan-out ------------------------------------------------------------------------

    def share_queries(self, author, states, shortcut: str) -> tuple[int, int]:
        """Queries and notifications of one share, rolled back."""
        from intel import services

        written = 0
        queries = 0
        with contextlib.suppress(Rollback), transaction.atomic():
            record = services.create_record(
                user=author, fields={"title": "Bench fan-out", "kind": "general", **MARKINGS}
            )
            before = Notification.objects.count()
            with CaptureQueriesContext(connection) as ctx:
                services.set_dissemination(user=author, record=record, states=states, shortcut=shortcut)
            queries = len(ctx.captured_queries)
            written = Notification.objects.count() - before
            raise Rollback
        return queries, written

    def fan_out(self, states: list[State]) -> None:
        from intel.services import SHORTCUT_MEMBERS_OBSERVERS

        author = User.objects.get(username=f"bench-officer-{states[0].code.lower()}-000")
        one_q, one_n = self.share_queries(author, [states[1]], "")
        all_q, all_n = self.share_queries(author, [], SHORTCUT_MEMBERS_OBSERVERS)
        self.stdout.write(f"fan-out, one state:               {one_q} queries, {one_n} notifications")
        self.stdout.write(f"fan-out, all members + observers: {all_q} queries, {all_n} notifications")

    # --- 2. the bell ------------------------------------------------------------------------

    def bell(self, states: list[State], rows: int, repeat: int) -> None:
        from intel import services
        from intel.models import IntelRecord

        author = User.objects.get(username=f"bench-officer-{states[0].code.lower()}-000")
        reader = User.objects.get(username=f"bench-officer-{states[1].code.lower()}-000")
        record = IntelRecord.objects.filter(title="Bench bell subject").first()
        if record is None:
            record = services.create_record(
                user=author,
                fields={"title": "Bench bell subject", "kind": "general", **MARKINGS},
                recipients=[states[1]],
            )
        have = Notification.objects.filter(user=reader).count()
        if have < rows:
            ct = ContentType.objects.get_for_model(IntelRecord)
            with connection.cursor() as cursor:
                # A tenth unread (the newest rows are read, so the walk meets read rows first is avoided
                # by the partial index, not by luck): g % 10 = 0 unread.
                cursor.execute(
                    "INSERT INTO notifications_notification "
                    "(user_id, event, subject_type_id, subject_id, reference, detail, created_at, read_at, batch) "
                    "SELECT %s, 'record_shared', %s, %s, %s, '', now() - (g || ' seconds')::interval, "
                    "CASE WHEN g %% 10 = 0 THEN NULL ELSE now() END, gen_random_uuid() "
                    "FROM generate_series(%s, %s) g",
                    [reader.pk, ct.pk, record.pk, record.reference, have + 1, rows],
                )
                cursor.execute("ANALYZE notifications_notification")
        total = Notification.objects.count()
        timings = []
        for _ in range(repeat):
            fresh = User.objects.get(pk=reader.pk)
            unread_count(fresh)  # warms the per-request caches (groups, permissions)
            start = time.perf_counter()
            n = unread_count(fresh)
            timings.append((time.perf_counter() - start) * 1000)
        self.stdout.write(
            f"bell count: {n} (capped) for a user with {Notification.objects.filter(user=reader).count():,} "
            f"notifications ({total:,} in the table): median {statistics.median(timings):.2f} ms, "
            f"max {max(timings):.2f} ms over {repeat} runs"
        )
        # Where the time goes: building the query in Python vs the database's round trip.
        builds, trips = [], []
        for _ in range(repeat):
            start = time.perf_counter()
            qs = Notification.objects.readable_by(reader).unread().order_by()[:100]
            sql, params = qs.query.sql_with_params()
            builds.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("SELECT COUNT(*) FROM (" + sql + ") q", params)  # noqa: S608 - compiled by the ORM
                cursor.fetchone()
            trips.append((time.perf_counter() - start) * 1000)
        self.stdout.write(
            f"  without the cached statement, building the query: median {statistics.median(builds):.2f} ms; "
            f"database round trip: median {statistics.median(trips):.2f} ms"
        )
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE) SELECT COUNT(*) FROM (" + sql + ") q", params)  # noqa: S608
            plan = [row[0].strip() for row in cursor.fetchall()]
        self.stdout.write("  plan: " + " | ".join(line for line in plan if "notif_" in line or "Time:" in line))
