"""`make bench`: write isolation. One state's single-record create, quiet and while
another state posts 500-item batches.

    python manage.py bench_writes [--singles 60] [--batch 500]

PostgreSQL only. Uses two states of its own (WA, WB) and their officers, and
writes seizure records through the same service the API uses (each batch in one
transaction, as POST /api/v1/intel/seizures/ does). Prints the median and p95 of
WB's single create on a quiet system, then while WA's batches run back to back,
and their ratio (the target is within 2x). Records are tagged "bench-writes" and
removed at the end.
"""

from __future__ import annotations

import statistics
import threading
import time

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, transaction
from django.utils import timezone

from intel import services
from intel.models import IntelRecord
from members.models import State, User
from members.roles import Role

TITLE = "bench-writes"


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


class Command(BaseCommand):
    help = "p95 of one state's single-record create, quiet and while another state posts 500-item batches."

    def add_arguments(self, parser):
        parser.add_argument("--singles", type=int, default=60)
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args, singles: int, batch: int, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_writes measures PostgreSQL; set DATABASE_URL.")
        busy, quiet = self.officer("WA"), self.officer("WB")
        try:
            self.create(quiet)  # warm up: the state's reference sequence exists before timing
            self.create(busy)
            at_rest = self.singles(quiet, singles)
            stop, running, batches = threading.Event(), threading.Event(), []
            loader = threading.Thread(target=self.load, args=(busy, batch, stop, running, batches))
            loader.start()
            running.wait(60)  # WA's first batch transaction is open and writing
            try:
                loaded = self.singles(quiet, singles)
            finally:
                stop.set()
                loader.join()
        finally:
            IntelRecord.objects.filter(title=TITLE).delete()
        rest95, load95 = p95(at_rest), p95(loaded)
        self.stdout.write(
            f"single create, quiet:      median {statistics.median(at_rest):7.1f} ms  p95 {rest95:7.1f} ms\n"
            f"single create, under load: median {statistics.median(loaded):7.1f} ms  p95 {load95:7.1f} ms\n"
            f"ratio p95 {load95 / rest95:.2f}x (target <= 2x); {len(batches)} batches of {batch} "
            f"({statistics.median(batches) if batches else float('nan'):.1f} s each, median)"
        )

    def officer(self, code: str) -> User:
        state = State.objects.filter(code=code).first() or State.objects.create(
            code=code, name_en=f"Bench state {code}", name_ru=f"Тестовое государство {code}", status="member"
        )
        user, _ = User.objects.get_or_create(username=f"bench-writes-{code.lower()}", defaults={"state": state})
        user.groups.add(Group.objects.get(name=Role.LIAISON_OFFICER))
        return user

    def create(self, user: User) -> IntelRecord:
        return services.create_seizure(
            user=user,
            fields={
                "title": TITLE,
                "tlp": "AMBER",
                "handling_code": "H0",
                "classification": "restricted",
                "source_reliability": "B",
                "information_credibility": "2",
            },
            seizure={"occurred_at": timezone.now(), "country": "KZ", "place": "Bench", "place_type": "border"},
            items=[{"substance": "heroin", "form": "powder", "quantity": "1.000", "unit": "kg"}],
        )

    def singles(self, user: User, n: int) -> list[float]:
        times = []
        for _ in range(n):
            started = time.perf_counter()
            with transaction.atomic():
                self.create(user)
            times.append((time.perf_counter() - started) * 1000)
        return times

    def load(self, user: User, size: int, stop: threading.Event, running: threading.Event, batches: list) -> None:
        """WA's batches, back to back, each in one transaction, until told to stop."""
        try:
            while not stop.is_set():
                started = time.perf_counter()
                with transaction.atomic():
                    for _ in range(size):
                        self.create(user)
                        running.set()
                batches.append(time.perf_counter() - started)
        finally:
            connections.close_all()
