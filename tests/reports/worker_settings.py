"""Settings for the Celery workers the reports tests start.

The project's settings, plus two things only these tests need:

* a visibility timeout of a few seconds, so the unacknowledged message of a
  worker killed by SIGKILL goes back to the queue while the test waits, rather
  than after the production timeout (hard time limit + 5 minutes);
* REPORTS_CHUNK_DELAY, a pause at each progress step, so a build is slow enough
  to be killed in the middle. The build itself is the real one.
"""

import os

from caricc_portal.settings import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("REPORTS_TEST_VISIBILITY_TIMEOUT", "3")),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
REPORTS_CHUNK_DELAY = float(os.environ.get("REPORTS_CHUNK_DELAY", "0"))
