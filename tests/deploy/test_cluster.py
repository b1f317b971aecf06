"""The portal on several nodes, on this host (`make cluster-test`; excluded from `make test`).

What runs (all started here, all stopped after; nothing is mocked):

- PostgreSQL primary: the server on 127.0.0.1:5432, in a scratch database;
- a streaming replica made with `pg_basebackup -R` from that primary, on a spare
  port in a temp dir (hot_standby_feedback on). The primary needs a `replication`
  line in pg_hba.conf: added once if missing, then `pg_reload_conf()` (idempotent);
- two gunicorn nodes (A, B), each running docker-compose.yml's web command;
- nginx (Debian's) as TLS load balancer, from deploy/nginx/templates/portal.conf.template
  with both nodes as upstreams (proxy_next_upstream);
- the compose file's `worker-reports` and `worker-notify` commands (separate queues);
- one private-files directory shared by every node and worker.

Then: an attachment uploaded through A downloads through B; a 100,000-row report
requested on B is built by the reports worker reading the replica (its log line and
the replica's pg_stat_activity) and downloads through A, while a 1,000-task e-mail
burst on the notify queue finishes without waiting for it; node A is killed under
load and the balancer answers no 5xx after the kill; the restore drill (backup, drop
the database and the files, restore) gives back the same counts and files.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from deploy.compose_check import (
    ENSURE_CERT,
    ROOT,
    Processes,
    command_of,
    flush_redis,
    free_port,
    load_compose,
    nginx_binary,
    psql,
    render_nginx,
)

pytestmark = pytest.mark.cluster

requests = pytest.importorskip("requests")

PASSWORD = "cluster-Passw0rd-" + secrets.token_hex(4)
REPORT_ROWS = 100_000
BURST = 1_000


def _pg_bin() -> Path:
    version = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True).stdout
    return Path(f"/usr/lib/postgresql/{version.split()[0]}/bin")


def ensure_replication_access() -> None:
    """Let postgres@127.0.0.1 replicate (trust, like the rest of this CI server); idempotent."""
    hba = Path(psql("SHOW hba_file"))
    line = "host replication postgres 127.0.0.1/32 trust"
    if line not in hba.read_text():
        with hba.open("a") as fh:
            fh.write(f"\n# Added by tests/deploy/test_cluster.py: streaming replica for the cluster test.\n{line}\n")
        psql("SELECT pg_reload_conf()")
    assert psql("SHOW wal_level") in ("replica", "logical"), "the primary needs wal_level replica"


@dataclass
class Replica:
    root: Path
    port: int = field(default_factory=free_port)

    @property
    def data(self) -> Path:
        return self.root / "data"

    def as_postgres(self, *argv: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(["runuser", "-u", "postgres", "--", *argv], check=True, capture_output=True, **kwargs)

    def start(self) -> None:
        shutil.chown(self.root, "postgres", "postgres")
        self.as_postgres(
            str(_pg_bin() / "pg_basebackup"),
            *("-h", "127.0.0.1", "-p", "5432", "-U", "postgres", "-D", str(self.data)),
            *("-R", "-X", "stream", "--checkpoint=fast"),
            timeout=600,
        )
        # Debian keeps postgresql.conf and pg_hba.conf in /etc: the copy has neither.
        # A standby refuses to start with fewer slots than its primary: copy those.
        same = "".join(
            f"{name} = {psql(f'SHOW {name}')}\n"
            for name in (
                "max_connections",
                "max_worker_processes",
                "max_prepared_transactions",
                "max_locks_per_transaction",
                "max_wal_senders",
            )
        )
        (self.data / "postgresql.conf").write_text(
            f"port = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.root}'\n"
            f"hot_standby = on\nhot_standby_feedback = on\n{same}"
        )
        (self.data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
        for name in ("postgresql.conf", "pg_hba.conf"):
            shutil.chown(self.data / name, "postgres", "postgres")
        try:
            self.as_postgres(
                str(_pg_bin() / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.root / "log"),
                "-w",
                "-t",
                "300",
                "start",
            )
        except subprocess.CalledProcessError:
            print((self.root / "log").read_text()[-3000:])
            raise

    error: BaseException | None = None

    def start_in_thread(self) -> None:
        try:
            self.start()
        except BaseException as exc:  # re-raised by the fixture after join()
            self.error = exc

    def sql(self, query: str, database: str = "postgres") -> str:
        return psql(query, database=database, port=self.port)

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.as_postgres(str(_pg_bin() / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")


@dataclass
class Cluster:
    tmp: Path
    database: str
    env: dict[str, str]
    procs: Processes
    replica: Replica
    nodes: dict[str, str]  # name -> base URL of the gunicorn node
    lb: str  # base URL of the balancer
    cafile: Path
    seed: dict = field(default_factory=dict)

    def session(self) -> requests.Session:
        """A signed-in browser session (its cookie is good on every node: sessions live in the database)."""
        s = requests.Session()
        # Not the environment's CA bundle or proxies: this cluster's own certificate, direct.
        s.trust_env = False
        s.verify = str(self.cafile)
        s.get(f"{self.nodes['A']}/accounts/login/", timeout=30)
        response = s.post(
            f"{self.nodes['A']}/accounts/login/",
            data={"username": "cluster-officer", "password": PASSWORD, "csrfmiddlewaretoken": s.cookies["csrftoken"]},
            headers={"Referer": f"{self.nodes['A']}/accounts/login/"},
            timeout=30,
            allow_redirects=False,
        )
        assert response.status_code == 302, response.text[:500]
        s.headers["X-CSRFToken"] = s.cookies["csrftoken"]
        return s

    def manage(self, code: str, timeout: float = 600) -> dict:
        """Run Python in a fresh Django process on the cluster's settings; its last stdout line is JSON."""
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return json.loads(result.stdout.strip().splitlines()[-1])


SEED = f"""
import json
from django.contrib.auth.models import Group
from intel.models import IntelRecord
from members.roles import Role
from reports.management.commands.bench_reports import BENCH_TITLE, Command
bench = Command()._seed({REPORT_ROWS})
bench.username = "cluster-officer"
bench.email = "cluster-officer@example.org"
bench.set_password({PASSWORD!r})
bench.save()
bench.groups.add(Group.objects.get(name=Role.LIAISON_OFFICER))
record = IntelRecord.objects.filter(title=BENCH_TITLE).order_by("pk").first()
print(json.dumps({{"record": record.pk}}))
"""


def _wait_caught_up(replica: Replica, timeout: float = 120) -> None:
    target = psql("SELECT pg_current_wal_lsn()")
    deadline = time.time() + timeout
    while time.time() < deadline:
        if replica.sql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn") == "t":
            return
        time.sleep(0.5)
    raise AssertionError("the replica did not catch up with the primary")


@pytest.fixture(scope="module")
def cluster():
    if not shutil.which("pg_lsclusters") or not (Path("/usr/sbin/nginx").exists() or shutil.which("nginx")):
        pytest.skip("needs Debian's PostgreSQL server tools and nginx")
    broker = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/14"
    match = re.match(r"(redis://[^/]+)/(\d+)$", broker)
    assert match, f"the cluster test needs a Redis broker URL, not {broker!r}"
    redis_db = int(match[2])
    tmp = Path(tempfile.mkdtemp(prefix="cluster-test-"))
    for sub in ("logs", "shared-private", "certs", "backups"):
        (tmp / sub).mkdir()
    replica = Replica(root=Path(tempfile.mkdtemp(prefix="cluster-replica-")))
    database = f"caricc_cluster_{os.getpid()}"
    procs = Processes(tmp / "logs")
    _raw, compose = load_compose()
    services = compose["services"]
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CELERY_", "DJANGO_", "TEST_DB"))}
    env = {
        **base,
        "DJANGO_SETTINGS_MODULE": "caricc_portal.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),  # one key for every node: sessions work anywhere
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "DATABASE_REPLICA_URL": f"postgres://postgres@127.0.0.1:{replica.port}/{database}",
        "CELERY_BROKER_URL": broker,
        # The cache shares the broker's database (its keys are prefixed): one database to flush.
        "CACHE_URL": broker,
        "PRIVATE_ROOT": str(tmp / "shared-private"),
        "PRIVATE_STORAGE": "filesystem",
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "TRUSTED_PROXY_COUNT": "1",
        "EMAIL_URL": "dummymail://",
        "REPLICA_MAX_LAG_SECONDS": "30",
        "LOG_LEVEL": "INFO",
        "PATH": f"{Path(sys.executable).parent}:{base.get('PATH', '/usr/bin:/bin')}",
        "PYTHONUNBUFFERED": "1",
    }
    started = time.monotonic()
    # `timeout` (CI) sends SIGTERM: turn it into an exception so the finally below
    # still stops every process, the replica and the database.
    previous_sigterm = signal.signal(signal.SIGTERM, _raise_on_sigterm)

    def phase(what: str) -> None:
        print(f"[cluster] {time.monotonic() - started:6.1f} s  {what}", flush=True)

    try:
        ensure_replication_access()
        psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        flush_redis(redis_db)
        # The replica is copied while the portal migrates: the schema and the seed then
        # reach it by streaming.
        psql(f'CREATE DATABASE "{database}"')
        copying = threading.Thread(target=replica.start_in_thread, daemon=True)
        copying.start()
        subprocess.run(
            [sys.executable, *command_of(services["migrate"])[1:]], cwd=ROOT, env=env, check=True, capture_output=True
        )
        phase("migrated")
        copying.join()
        if replica.error:
            raise replica.error
        phase(f"streaming replica on :{replica.port} (pg_basebackup -R)")
        cluster = Cluster(tmp, database, env, procs, replica, {}, "", tmp / "certs" / "tls.crt")
        cluster.seed = cluster.manage(SEED)
        phase(f"seeded {REPORT_ROWS} seizure items")
        _wait_caught_up(replica)
        phase("replica caught up")
        assert replica.sql("SELECT pg_is_in_recovery()") == "t"
        # Two web nodes, each the compose file's web command on its own port.
        for name in ("A", "B"):
            port = free_port()
            argv = [p.replace("0.0.0.0:8000", f"127.0.0.1:{port}") for p in command_of(services["web"])]
            argv[argv.index("--workers") + 1] = "2"
            # Two gunicorns on one host: each its own control socket (one per container in compose).
            argv += ["--control-socket", str(tmp / f"node-{name}.ctl")]
            procs.start(f"node-{name}", argv, env)
            cluster.nodes[name] = f"http://127.0.0.1:{port}"
        for name in ("worker-reports", "worker-notify"):
            procs.start(name, command_of(services[name]), env)
        # The balancer: the compose proxy's template, both nodes upstream.
        proxy_env = {
            **env,
            "PORTAL_UPSTREAMS": " ".join(
                f"server {url.removeprefix('http://')} max_fails=1 fail_timeout=30s;" for url in cluster.nodes.values()
            ),
            "PROXY_HTTP_PORT": str(free_port()),
            "PROXY_HTTPS_PORT": str(free_port()),
            "TLS_CERT_DIR": str(tmp / "certs"),
            "TLS_CERT_CN": "localhost",
        }
        subprocess.run(["sh", str(ENSURE_CERT)], env=proxy_env, check=True, capture_output=True)
        conf = render_nginx(proxy_env, tmp / "nginx")
        procs.start("balancer", [nginx_binary(), "-c", str(conf), "-e", str(tmp / "logs/nginx-error.log")], env)
        cluster.lb = f"https://127.0.0.1:{proxy_env['PROXY_HTTPS_PORT']}"
        _wait_for(lambda: all(_ok(f"{u}/healthz") for u in cluster.nodes.values()), 120, "gunicorn nodes")
        _wait_for(lambda: _ok(f"{cluster.lb}/healthz", verify=str(cluster.cafile)), 30, "the balancer")
        _wait_for(lambda: _workers_answer(env, ["reports@", "notify@"]), 90, "the workers")
        phase("nodes A and B, the balancer and the workers answer")
        yield cluster
    finally:
        signal.signal(signal.SIGTERM, previous_sigterm)
        procs.stop_all()
        replica.stop()
        shutil.rmtree(replica.root, ignore_errors=True)
        psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        flush_redis(redis_db)
        if os.environ.get("CLUSTER_KEEP"):
            print(f"cluster logs kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _raise_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


def _ok(url: str, verify: str | bool = True) -> bool:
    try:
        with requests.Session() as s:
            s.trust_env = False
            return s.get(url, timeout=5, verify=verify).status_code == 200
    except requests.RequestException:
        return False


def _workers_answer(env: dict[str, str], prefixes: list[str]) -> bool:
    result = subprocess.run(
        ["celery", "-A", "caricc_portal", "inspect", "ping", "--timeout", "3", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    return all(prefix in result.stdout for prefix in prefixes)


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(1)
    raise AssertionError(f"{what} not ready within {timeout:.0f} s")


def _pdf_bytes() -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, f"cluster test attachment {secrets.token_hex(8)}")
    page.save()
    return buffer.getvalue()


# --- the scenarios -----------------------------------------------------------------------


def test_an_attachment_uploaded_through_node_a_downloads_through_node_b(cluster):
    s = cluster.session()
    record = cluster.seed["record"]
    content = _pdf_bytes()
    up = s.post(
        f"{cluster.nodes['A']}/api/v1/intel/records/{record}/attachments/",
        files={"file": ("evidence.pdf", content, "application/pdf")},
        timeout=60,
    )
    assert up.status_code == 201, up.text[:500]
    attachment = up.json()["id"]
    down = s.get(f"{cluster.nodes['B']}/api/v1/intel/records/{record}/attachments/{attachment}/", timeout=60)
    assert down.status_code == 200, down.text[:300]
    assert down.content == content
    # ... and through the balancer, over TLS.
    assert s.get(f"{cluster.lb}/api/v1/intel/records/{record}/attachments/{attachment}/", timeout=60).content == content
    cluster.seed["attachment"] = (record, attachment, hashlib.sha256(content).hexdigest())


BURST_CODE = f"""
import json, time
from caricc_portal.celery import app
from django_celery_results.models import TaskResult
start = time.time()
ids = [app.send_task("donors.tasks.send_reminders").id for _ in range({BURST})]
enqueued = time.time()
done = 0
while time.time() - start < 300:
    done = TaskResult.objects.filter(task_id__in=ids, status="SUCCESS").count()
    if done == len(ids):
        break
    time.sleep(0.5)
finished = time.time()
first = TaskResult.objects.filter(task_id__in=ids, status="SUCCESS").order_by("date_done").first()
print(json.dumps({{"done": done, "enqueue_s": enqueued - start, "total_s": finished - start,
                  "started_at": start, "finished_at": finished,
                  "first_done_at": first.date_done.timestamp() if first else None}}))
"""


def test_a_report_requested_on_b_is_built_from_the_replica_and_a_notify_burst_does_not_wait_for_it(cluster):
    s = cluster.session()
    body = {
        "kind": "seizure_register",
        "format": "xlsx",
        "parameters": {"date_from": "2001-01-01", "date_to": "2001-12-31", "states": []},
    }
    response = s.post(f"{cluster.nodes['B']}/api/v1/reports/", json=body, timeout=60)
    assert response.status_code == 202, response.text[:500]
    report = response.json()
    status_url = f"{cluster.nodes['A']}/api/v1/reports/{report['id']}/"

    # The build's reads on the replica, as its own pg_stat_activity shows them.
    seen_on_replica: list[str] = []
    stop = threading.Event()

    def watch_replica():
        query = (
            "SELECT query FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND query ILIKE '%intel_%'"
        )
        while not stop.is_set():
            rows = cluster.replica.sql(query, database=cluster.database)
            if rows:
                seen_on_replica.append(rows.splitlines()[0][:200])
            time.sleep(0.2)

    watcher = threading.Thread(target=watch_replica, daemon=True)
    watcher.start()
    _wait_for(lambda: s.get(status_url, timeout=30).json()["status"] == "running", 120, "the report build")

    # While the report runs on its queue: 1,000 e-mail tasks on the notify queue.
    burst = cluster.manage(BURST_CODE)
    report_status_after_burst = s.get(status_url, timeout=30).json()

    _wait_for(lambda: s.get(status_url, timeout=30).json()["status"] in ("succeeded", "failed"), 400, "the report")
    stop.set()
    watcher.join(timeout=5)
    final = s.get(status_url, timeout=30).json()
    assert final["status"] == "succeeded", final
    assert final["row_count"] == REPORT_ROWS

    # Built from the replica: the router's log line in the reports worker, and the
    # replica's own view of the queries.
    log = (cluster.tmp / "logs" / "worker-reports.log").read_text()
    assert f"Heavy reads of report {report['id']} from database 'replica'" in log
    assert seen_on_replica, "no report query seen in the replica's pg_stat_activity"

    # The file (written by the worker to the shared directory) downloads through A.
    download = s.get(f"{cluster.nodes['A']}/api/v1/reports/{report['id']}/download/", timeout=120)
    assert download.status_code == 200
    assert download.content[:2] == b"PK"  # an XLSX is a zip

    cluster.seed["report"] = (report["id"], hashlib.sha256(download.content).hexdigest())

    # The burst did not queue behind the report: it was sent while the report was
    # running, and its first e-mail task was done before the report finished. (How
    # many of the 1,000 finish before the report depends on the machine's speed; that
    # the notify queue is served at all while the report holds its own worker does not.)
    (report_finished_at,) = cluster.manage(
        "import json; from reports.models import ReportRequest; "
        f"print(json.dumps([ReportRequest.objects.get(pk={report['id']}).finished_at.timestamp()]))"
    )
    print(
        f"burst: {burst}; report after the burst: {report_status_after_burst['status']}; "
        f"report finished at {report_finished_at}"
    )
    assert burst["done"] == BURST
    assert burst["first_done_at"] is not None
    assert burst["first_done_at"] < report_finished_at, (burst, report_finished_at)


def test_node_a_killed_under_load_the_balancer_answers_no_5xx_after_the_kill(cluster):
    """SIGKILL node A while four clients keep reading through the balancer.

    Requests sent after the kill must all succeed (nginx skips the dead node and
    retries a refused connection on B). A request that A was already answering when
    it died can only be cut short: nginx had begun relaying A's response and cannot
    replay it. Those are counted apart, and may not be a 5xx from the balancer either.
    """
    s = cluster.session()
    url = f"{cluster.lb}/api/v1/reports/"
    results: list[tuple[float, float, int]] = []  # (sent, answered, status)
    stop = threading.Event()

    def load():
        with requests.Session() as own:
            own.trust_env = False
            own.verify = s.verify
            own.cookies.update(s.cookies)
            while not stop.is_set():
                sent = time.time()
                try:
                    status = own.get(url, timeout=60).status_code
                except requests.RequestException:
                    status = 599  # the connection was cut
                results.append((sent, time.time(), status))

    threads = [threading.Thread(target=load) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(3)
    killed_at = time.time()
    cluster.procs.kill("node-A", signal.SIGKILL)
    time.sleep(6)
    stop.set()
    for t in threads:
        t.join(timeout=90)
    before = [status for sent, answered, status in results if answered < killed_at]
    in_flight = [status for sent, answered, status in results if sent < killed_at <= answered]
    after = [status for sent, answered, status in results if sent >= killed_at]
    print(f"requests answered before the kill: {len(before)}, in flight: {in_flight}, sent after: {len(after)}")
    assert before and after
    assert all(status == 200 for status in before)
    assert all(status == 200 for status in after), after
    assert not [status for status in in_flight if 500 <= status < 599], in_flight


def test_restore_drill_backup_drop_restore_gives_back_the_same_counts_and_files(cluster):
    counts_sql = (
        "SELECT json_build_object("
        "'records', (SELECT count(*) FROM intel_intelrecord),"
        "'attachments', (SELECT count(*) FROM intel_attachment),"
        "'reports', (SELECT count(*) FROM reports_reportrequest),"
        "'users', (SELECT count(*) FROM members_user))"
    )
    before = json.loads(psql(counts_sql, database=cluster.database))
    files_dir = cluster.tmp / "shared-private"

    def file_hashes() -> dict[str, str]:
        return {
            str(p.relative_to(files_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(files_dir.rglob("*"))
            if p.is_file() and "tmp" not in p.relative_to(files_dir).parts
        }

    files_before = file_hashes()
    assert files_before, "nothing to back up: the earlier scenarios left no files"
    backup_env = {
        **cluster.env,
        "PGHOST": "127.0.0.1",
        "PGPORT": "5432",
        "PGUSER": "postgres",
        "PGDATABASE": cluster.database,
        "PRIVATE_DIR": str(files_dir),
        "BACKUP_DIR": str(cluster.tmp / "backups"),
    }
    subprocess.run(["sh", str(ROOT / "deploy/backup/backup.sh"), "once"], env=backup_env, check=True, timeout=600)
    (backup,) = [p for p in (cluster.tmp / "backups").iterdir() if p.is_dir() and p.name.startswith("20")]

    # The disaster: the database and the files are gone.
    psql(f'DROP DATABASE "{cluster.database}" WITH (FORCE)')
    shutil.rmtree(files_dir)
    files_dir.mkdir()

    subprocess.run(["sh", str(ROOT / "deploy/backup/restore.sh"), str(backup)], env=backup_env, check=True, timeout=600)
    assert json.loads(psql(counts_sql, database=cluster.database)) == before
    assert file_hashes() == files_before

    # The portal (node B, still up; A was killed above) serves them again.
    s = cluster.session() if _ok(f"{cluster.nodes['A']}/healthz") else _session_via(cluster, "B")
    record, attachment, digest = cluster.seed["attachment"]
    got = s.get(f"{cluster.lb}/api/v1/intel/records/{record}/attachments/{attachment}/", timeout=60)
    assert got.status_code == 200 and hashlib.sha256(got.content).hexdigest() == digest
    report, report_digest = cluster.seed["report"]
    got = s.get(f"{cluster.lb}/api/v1/reports/{report}/download/", timeout=60)
    assert got.status_code == 200 and hashlib.sha256(got.content).hexdigest() == report_digest


def _session_via(cluster: Cluster, node: str) -> requests.Session:
    nodes = dict(cluster.nodes)
    cluster.nodes["A"] = nodes[node]  # sign in through the surviving node
    try:
        return cluster.session()
    finally:
        cluster.nodes.update(nodes)
