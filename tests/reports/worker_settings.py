"""Settings for the Celery workers the reports tests start.

The project's settings, plus two things only these tests need:

* a visibility timeout of a few seconds, so the unacknowledged message of a
  worker killed by SIGKILL goes back to the queue while the test waits, rather
  than after the production timeout (hard time limit + 5 minutes);
* with REPORTS_CHUNK_DELAY set, a pause after each progress step, so a build is
  slow enough to be killed in the middle. The pause wraps the progress callback
  of the real build in this worker only; production code knows nothing of it.
"""

import os
import time

from celery.signals import task_prerun

from caricc_portal.settings import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("REPORTS_TEST_VISIBILITY_TIMEOUT", "3")),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}

_CHUNK_DELAY = float(os.environ.get("REPORTS_CHUNK_DELAY", "0"))


def _pace_report_builds(**kwargs) -> None:
    """Before a task runs (Django is set up by then): wrap reports' build_file once.

    build_report looks `build_file` up in reports.services at each call, so the
    wrapper is what it runs; the build itself is the real one.
    """
    from reports import services

    build_file = services.build_file
    if getattr(build_file, "paced", False):
        return

    def paced_build_file(report, on_progress):
        def progress(percent: int) -> None:
            on_progress(percent)
            time.sleep(_CHUNK_DELAY)

        return build_file(report, progress)

    paced_build_file.paced = True
    services.build_file = paced_build_file


if _CHUNK_DELAY > 0:
    task_prerun.connect(_pace_report_builds, weak=False)
