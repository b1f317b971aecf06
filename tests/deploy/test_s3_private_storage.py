"""Private files on an S3-compatible store (PRIVATE_STORAGE=s3): stored privately, served by the portal.

The S3 API is moto's in-process implementation (boto3 talks to it as to any S3
endpoint); the portal side (django-storages, the model fields, upload and download
views, permission checks) is the real one.
"""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from intel.models import Attachment
from tests.intel.conftest import make_record  # noqa: F401 (the intel tests' fixture)
from tests.intel.test_record_visibility import PDF

moto = pytest.importorskip("moto")
boto3 = pytest.importorskip("boto3")

pytestmark = pytest.mark.django_db

BUCKET = "caricc-private-test"


@pytest.fixture
def s3_private(settings, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with moto.mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        # The same options settings.py builds for PRIVATE_STORAGE=s3.
        s3 = {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "region_name": "us-east-1",
                "location": "private",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 60,
                "file_overwrite": False,
                "addressing_style": "path",
            },
        }
        settings.STORAGES = {**settings.STORAGES, "default": s3, "private": s3}
        yield client


def test_an_attachment_goes_to_the_bucket_privately_and_comes_back_only_through_the_portal(
    s3_private,
    officer_kz,
    officer_uz,
    officer_kg,
    uz,
    make_record,  # noqa: F811 (imported above as a fixture)
    api_for,
    client_for,
):
    record = make_record(officer_kz, recipients=[uz])
    response = api_for(officer_kz).post(
        f"/api/v1/intel/records/{record.pk}/attachments/",
        {"file": SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    att = Attachment.objects.get()

    # In the bucket, under the prefix, and private: no grant to everyone.
    key = f"private/{att.file.name}"
    assert s3_private.get_object(Bucket=BUCKET, Key=key)["Body"].read() == PDF
    grants = s3_private.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]
    assert all("AllUsers" not in g["Grantee"].get("URI", "") for g in grants)
    # Any URL the storage could hand out is signed and short-lived.
    url = att.file.url
    assert "X-Amz-Signature=" in url or "Signature=" in url

    # Downloads pass through the portal's permission check.
    got = client_for(officer_uz).get(att.get_absolute_url())
    assert got.status_code == 200
    assert hashlib.sha256(b"".join(got.streaming_content)).hexdigest() == att.sha256
    assert client_for(officer_kg).get(att.get_absolute_url()).status_code == 404
