"""What the deployment environment variables do to the settings, read by a fresh process.

Each case imports the real settings module with the variables a container gets, so
these tests see what gunicorn and the workers see.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def settings_in_fresh_process(code: str, **env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CELERY_", "EMAIL_", "PRIVATE_"))}
    result = subprocess.run(
        [sys.executable, "-c", f"import django, json\ndjango.setup()\nfrom django.conf import settings\n{code}"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "caricc_portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_database_and_email_passwords_come_from_secret_files(tmp_path):
    (tmp_path / "db").write_text("s3cret-db\n")
    (tmp_path / "mail").write_text("s3cret-mail\n")
    got = settings_in_fresh_process(
        "print(json.dumps({'db': settings.DATABASES['default']['PASSWORD'], 'mail': settings.EMAIL_HOST_PASSWORD,"
        " 'user': settings.DATABASES['default']['USER']}))",
        DATABASE_URL="postgres://caricc@db.internal:5432/caricc",
        DATABASE_PASSWORD_FILE=str(tmp_path / "db"),
        EMAIL_URL="smtp+tls://portal@mail.internal:587",
        EMAIL_PASSWORD_FILE=str(tmp_path / "mail"),
    )
    assert got == {"db": "s3cret-db", "mail": "s3cret-mail", "user": "caricc"}


def test_a_replica_url_adds_a_replica_alias_that_tests_mirror_and_migrations_skip(tmp_path):
    (tmp_path / "db").write_text("pw")
    got = settings_in_fresh_process(
        "from core.replica import ReplicaRouter\n"
        "r = settings.DATABASES['replica']\n"
        "print(json.dumps({'host': r['HOST'], 'port': r['PORT'], 'password': r['PASSWORD'],"
        " 'test': r['TEST']['MIRROR'],"
        " 'migrate_replica': ReplicaRouter().allow_migrate('replica', 'intel'),"
        " 'migrate_default': ReplicaRouter().allow_migrate('default', 'intel')}))",
        DATABASE_URL="postgres://caricc@primary:5432/caricc",
        DATABASE_REPLICA_URL="postgres://caricc@replica:5433/caricc",
        DATABASE_PASSWORD_FILE=str(tmp_path / "db"),
    )
    assert got == {
        "host": "replica",
        "port": 5433,
        "password": "pw",
        "test": "default",
        "migrate_replica": False,
        "migrate_default": True,
    }


def test_s3_private_storage_is_private_and_signed_and_the_file_fields_use_it():
    got = settings_in_fresh_process(
        "from django.core.files.storage import storages\n"
        "from intel.models import Attachment\n"
        "s = storages['private']\n"
        "field = Attachment._meta.get_field('file')\n"
        "print(json.dumps({'cls': type(s).__name__, 'acl': s.default_acl, 'signed': s.querystring_auth,"
        " 'overwrite': s.file_overwrite, 'bucket': s.bucket_name, 'endpoint': s.endpoint_url,"
        " 'field': field.storage.__class__.__name__, 'callable': field.deconstruct()[3]['storage'].__qualname__}))",
        PRIVATE_STORAGE="s3",
        S3_BUCKET="caricc-private",
        S3_ENDPOINT_URL="http://minio.internal:9000",
    )
    assert got == {
        "cls": "S3Storage",
        "acl": "private",
        "signed": True,
        "overwrite": False,
        "bucket": "caricc-private",
        "endpoint": "http://minio.internal:9000",
        "field": "S3Storage",
        "callable": "private_storage",
    }


def test_the_default_private_storage_is_the_shared_directory(tmp_path):
    got = settings_in_fresh_process(
        "from django.core.files.storage import storages\n"
        "print(json.dumps({'cls': type(storages['private']).__name__, 'location': storages['private'].location}))",
        PRIVATE_ROOT=str(tmp_path / "shared"),
    )
    assert got == {"cls": "FileSystemStorage", "location": str(tmp_path / "shared")}


def test_log_format_json_writes_one_json_object_per_line():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, logging\ndjango.setup()\n"
            "logging.getLogger('caricc_portal.test').warning('hello %s', 'json')",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "caricc_portal.settings", "LOG_FORMAT": "json"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    line = [ln for ln in result.stderr.splitlines() if "hello" in ln][-1]
    record = json.loads(line)
    assert record["message"] == "hello json"
    assert record["level"] == "WARNING"
    assert record["logger"] == "caricc_portal.test"
