"""Benchmark: N seizure rows to XLSX through the real build task, timed, with peak memory.

    python manage.py bench_reports [--rows 100000] [--format xlsx] [--max-seconds 30] [--max-rss-mb 300]

Seeds (once) N seizure items in the year 2001, reported by a bench state's
records shared with that state, for a bench user of that state: the report
goes through `visible_to` exactly like a real one. The build then runs in a
fresh child process (`--child`), the same task code a worker runs, so the peak
resident memory measured (reports.services.peak_rss_mb: that process's VmHWM, not
getrusage, which a child inherits from its parent across exec) is the worker's own and not inflated by
the seeding. Exits non-zero when a limit is exceeded.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import signal
import subprocess
import sys
import time
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

BENCH_TITLE = "bench-reports"
BENCH_YEAR = 2001
ITEMS_PER_RECORD = 4
SUBSTANCES = ["heroin", "opium", "cannabis_resin", "cannabis_herb", "methamphetamine", "cocaine"]
UNITS = ["kg", "g", "kg", "l"]


class Command(BaseCommand):
    help = "Time a report of N seizure rows (XLSX by default) and measure the building process's peak memory."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--format", default="xlsx", choices=["csv", "xlsx", "pdf"])
        parser.add_argument("--max-seconds", type=float, default=30.0)
        parser.add_argument("--max-rss-mb", type=float, default=300.0)
        parser.add_argument(
            "--worker",
            action="store_true",
            help="Build in a real Celery worker on a private queue (needs CELERY_BROKER_URL), not a child process.",
        )
        parser.add_argument("--child", type=int, help=argparse_suppress())

    def handle(self, *args, **options):
        if options["child"]:
            return self._child(options["child"])
        user = self._seed(options["rows"])
        from reports.choices import ReportKind
        from reports.models import ReportRequest

        period = {"date_from": f"{BENCH_YEAR}-01-01", "date_to": f"{BENCH_YEAR}-12-31", "states": []}
        # Created directly (not request_report): the child process builds it, nothing is enqueued.
        report = ReportRequest.objects.create(
            kind=ReportKind.SEIZURE_REGISTER, parameters=period, format=options["format"], requested_by=user
        )
        started = time.monotonic()
        figures = self._in_worker(report.pk) if options["worker"] else self._in_child(report.pk)
        wall = time.monotonic() - started
        report.refresh_from_db()
        size_mb = report.file.size / 1_048_576 if report.file else 0
        result = {
            "rows": report.row_count,
            "format": report.format,
            "status": report.status,
            "build_seconds": figures["seconds"],
            "task_seconds": figures["task_seconds"],
            "task_cpu_seconds": figures["task_cpu_seconds"],
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "cpus": os.cpu_count(),
            "process_wall_seconds": round(wall, 2),
            "peak_rss_mb": figures["peak_rss_mb"],
            "rss_before_task_mb": figures["rss_before_mb"],
            "file_mb": round(size_mb, 2),
            "database": connection.vendor,
            "built_in": "a Celery worker" if options["worker"] else "a child process running the task",
            "machine": f"{platform.machine()}, {platform.processor() or '?'}, Python {platform.python_version()}",
            "date": timezone.now().isoformat(timespec="seconds"),
        }
        self.stdout.write(json.dumps(result, indent=2))
        problems = []
        if report.status != "succeeded":
            problems.append(f"status {report.status}: {report.error}")
        if report.row_count != options["rows"]:
            problems.append(f"{report.row_count} rows instead of {options['rows']}")
        if figures["task_seconds"] > options["max_seconds"]:
            problems.append(f"{figures['task_seconds']:.1f} s > {options['max_seconds']} s")
        if figures["peak_rss_mb"] > options["max_rss_mb"]:
            problems.append(f"peak RSS {figures['peak_rss_mb']:.0f} MB > {options['max_rss_mb']} MB")
        # The benchmark's file is not kept: mark it expired like the daily purge would.
        from reports.services import purge_expired

        ReportRequest.objects.filter(pk=report.pk).update(expires_at=timezone.now())
        purge_expired()
        if problems:
            raise CommandError("; ".join(problems))
        self.stdout.write(self.style.SUCCESS("bench_reports: within limits"))

    def _in_child(self, report_id: int) -> dict:
        child = subprocess.run(  # noqa: S603 - our own interpreter and command
            # --skip-checks: a worker starts without Django's system checks
            # (CELERY_SKIP_CHECKS in docker-compose.yml), and so does this stand-in.
            [sys.executable, "manage.py", "bench_reports", "--child", str(report_id), "--skip-checks"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode != 0:
            raise CommandError(f"The build process failed:\n{child.stderr[-3000:]}")
        return json.loads(child.stdout.strip().splitlines()[-1])

    def _in_worker(self, report_id: int) -> dict:
        """Start a solo worker on a private queue (so no one else's worker takes the task)."""
        from celery import current_app as app  # the project's app, loaded with Django

        from reports.tasks import build_report

        if not settings.CELERY_BROKER_URL:
            raise CommandError("--worker needs CELERY_BROKER_URL")
        queue = f"bench-reports-{os.getpid()}"
        worker = subprocess.Popen(  # noqa: S603 - our own interpreter and command
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "caricc_portal",
                "worker",
                "--pool=solo",
                "-Q",
                queue,
                "--without-gossip",
                "--without-mingle",
                "--loglevel=WARNING",
                "-n",
                f"{queue}@%h",
            ],
            cwd=settings.BASE_DIR,
            start_new_session=True,
        )
        try:
            deadline = time.time() + 60
            while not app.control.ping(destination=[f"{queue}@{platform.node()}"], timeout=1.0):
                if time.time() > deadline or worker.poll() is not None:
                    raise CommandError("The benchmark worker did not start")
            started = time.monotonic()
            result = build_report.apply_async(args=[report_id], queue=queue).get(timeout=600)
            result["task_seconds"] = round(time.monotonic() - started, 3)
            result["task_cpu_seconds"] = None  # not measurable from outside the worker
            result["rss_before_mb"] = None
            return result
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)

    def _child(self, report_id: int) -> None:
        """Run the build task in this fresh process, as a worker would, and print figures."""
        from reports.services import peak_rss_mb
        from reports.tasks import build_report

        before = peak_rss_mb()
        cpu_before = _cpu_seconds()
        started = time.monotonic()
        result = build_report.apply(args=[report_id]).get()
        result["task_seconds"] = round(time.monotonic() - started, 3)
        result["task_cpu_seconds"] = round(_cpu_seconds() - cpu_before, 3)
        result["rss_before_mb"] = round(before, 1)
        result["peak_rss_mb"] = round(peak_rss_mb(), 1)
        self.stdout.write(json.dumps(result))

    def _seed(self, rows: int):
        """N seizure items in BENCH_YEAR for a bench state; reused when already there."""
        from core.sharing import grant
        from intel.models import (
            IntelRecord,
            IntelRecordRecipient,
            RecipientSubstance,
            RecordSubstance,
            SeizureItem,
            SeizureReport,
            sync_substances,
        )
        from intel.vocabularies import kg_equivalent
        from members.models import State, User

        state = State.objects.filter(code="KZ").first()
        if state is None:
            state = State(code="KZ", name_en="Kazakhstan", name_ru="Казахстан", status=State.Status.MEMBER)
            state.save()
        user = User.objects.filter(username="bench-reports").first()
        if user is None:
            user = User(username="bench-reports", state=state)
            user.set_unusable_password()
            user.save()

        tz = timezone.get_default_timezone()
        existing = SeizureItem.objects.filter(seizure__record__title=BENCH_TITLE).count()
        if existing == rows:
            # Seeds made before the records were dated in BENCH_YEAR sat at the top
            # of every inbox and skewed bench_intel's first-page figures; move them.
            moved_to = timezone.make_aware(dt.datetime(BENCH_YEAR, 6, 1), tz)
            moved = IntelRecord.objects.filter(title=BENCH_TITLE, created_at__year__gt=BENCH_YEAR)
            IntelRecordRecipient.objects.filter(content_object__in=moved).update(created_at=moved_to)
            RecordSubstance.objects.filter(record__in=moved).update(created_at=moved_to)
            RecipientSubstance.objects.filter(record__in=moved).update(created_at=moved_to)
            moved.update(created_at=moved_to)
            return user
        if existing:
            raise CommandError(
                f"{existing} bench items exist, {rows} wanted: use --rows {existing} or a fresh database"
            )
        records_needed = -(-rows // ITEMS_PER_RECORD)
        started = time.monotonic()
        made = 0
        with transaction.atomic():
            for batch_start in range(0, records_needed, 5000):
                n = min(5000, records_needed - batch_start)
                records = IntelRecord.objects.bulk_create(
                    [
                        IntelRecord(
                            reference=f"BENCHR-{batch_start + i:08d}",
                            # Dated in their own year, so they do not crowd the top of the
                            # inboxes that bench_intel measures in the same database.
                            created_at=timezone.make_aware(dt.datetime(BENCH_YEAR, 1 + i % 12, 1 + i % 28), tz),
                            kind="seizure",
                            title=BENCH_TITLE,
                            originating_state=state,
                            author=user,
                            tlp=["GREEN", "AMBER", "AMBER+STRICT"][(batch_start + i) % 3],
                            handling_code="H0",
                            classification="restricted",
                            source_reliability="B",
                            information_credibility="2",
                        )
                        for i in range(n)
                    ]
                )
                # Through the permission core, which also fills the recipient table.
                grant(IntelRecord, [r.pk for r in records], [state], ("view",))
                seizures = SeizureReport.objects.bulk_create(
                    [
                        SeizureReport(
                            record=r,
                            occurred_at=timezone.make_aware(
                                dt.datetime(BENCH_YEAR, 1 + (k % 12), 1 + (k % 28), k % 24), tz
                            ),
                            country="KZ",
                            place=f"Checkpoint {k % 50}",
                            place_type="border",
                        )
                        for k, r in enumerate(records, start=batch_start)
                    ]
                )
                items = []
                for s in seizures:
                    for p in range(ITEMS_PER_RECORD):
                        if made >= rows:
                            break
                        quantity = Decimal(made % 997 + 1) / Decimal(10)
                        unit = UNITS[made % len(UNITS)]
                        items.append(
                            SeizureItem(
                                seizure=s,
                                position=p,
                                substance=SUBSTANCES[made % len(SUBSTANCES)],
                                form="powder",
                                quantity=quantity,
                                unit=unit,
                                kg_equivalent=kg_equivalent(quantity, unit),
                            )
                        )
                        made += 1
                SeizureItem.objects.bulk_create(items, batch_size=5000)
                sync_substances([r.pk for r in records])  # the substance filter's rows (intel)
        # Fresh statistics, as autovacuum would gather them on a live database.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for table in (
                    "intel_intelrecord",
                    "intel_intelrecordgroupobjectpermission",
                    "intel_intelrecordrecipient",
                    "intel_seizurereport",
                    "intel_recordsubstance",
                    "intel_recipientsubstance",
                ):
                    cursor.execute(f"ANALYZE {table}")
                cursor.execute("ANALYZE intel_seizureitem")
        self.stdout.write(f"seeded {made} seizure items in {time.monotonic() - started:.1f} s")
        return user


def _cpu_seconds() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def argparse_suppress():
    import argparse

    return argparse.SUPPRESS
