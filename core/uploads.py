"""The one upload policy of the portal, for every attachment (intel, donors, anything later).

In: the type is sniffed from the content (never the name or the client's
Content-Type) against an allow-list, the size is capped (ATTACHMENT_MAX_MB), the
SHA-256 is computed for the row. Files go to the private storage
(core.storage.private_storage) under random names.
Out: only through a permission-checked view, which calls `serve_attachment`: a
download (Content-Disposition: attachment), a Content-Type from the allow-list
(or application/octet-stream), `X-Content-Type-Options: nosniff`, and a log line.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from typing import Any

import puremagic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from .net import client_ip

logger = logging.getLogger("caricc.downloads")

ALLOWED_TYPES: dict[str, str] = {
    # extension detected from the content -> content type stored and served
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".zip": "application/zip",
}
SAFE_FALLBACK_TYPE = "application/octet-stream"
_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class CheckedUpload:
    """What the policy learnt about an accepted upload: store these beside the file."""

    content_type: str
    size: int
    sha256: str
    filename: str


def max_upload_bytes() -> int:
    return int(getattr(settings, "ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))


def sniff_content_type(head: bytes) -> str | None:
    """The allowed content type the bytes really are, or None (never trust the name)."""
    try:
        matches = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        return None
    for match in matches:
        ext = (match.extension or "").lower()
        if ext in ALLOWED_TYPES:
            # A .docx/.xlsx is a zip: puremagic reports the Office type when it can.
            return ALLOWED_TYPES[ext]
    return None


def check_upload(upload: Any) -> CheckedUpload:
    """Size, real type and SHA-256 of an uploaded file; ValidationError (one message) if refused."""
    limit = max_upload_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    upload.seek(0)
    content_type = sniff_content_type(upload.read(_SNIFF_BYTES))
    upload.seek(0)
    if content_type is None:
        raise ValidationError(
            _(
                "This type of file is not accepted (allowed: PDF, images, Word, Excel, ZIP); "
                "the content was checked, not the name."
            ),
            code="type_not_allowed",
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        filename=(upload.name or "file").rsplit("/", 1)[-1][:255],
    )


def random_path(prefix: str) -> str:
    """A storage path that says nothing: the original name stays in the row, never in the path."""
    return f"{prefix}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


def safe_content_type(content_type: str | None) -> str:
    """The stored type if the allow-list has it, else application/octet-stream (never text/html)."""
    return content_type if content_type and content_type in ALLOWED_TYPES.values() else SAFE_FALLBACK_TYPE


def serve_attachment(
    request: HttpRequest, file: Any, *, filename: str, content_type: str | None, sha256: str = "", what: str = ""
) -> FileResponse:
    """Stream a stored file as a download; call it only after the permission check.

    Every download is logged (logger "caricc.downloads": user, address, object,
    SHA-256); apps with an audit table of their own (intel's AccessLog) record there too.
    """
    user_id, ip = getattr(request.user, "pk", None), client_ip(request)
    logger.info(
        "download of %s (%s, sha256 %s) by user %s from %s",
        what,
        filename,
        sha256 or "-",
        user_id,
        ip,
        extra={"user_id": user_id, "ip": ip, "object": what, "request_id": getattr(request, "id", "")},
    )
    response = FileResponse(
        file.open("rb"), as_attachment=True, filename=filename or "file", content_type=safe_content_type(content_type)
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
