"""A partner's day through a client generated from the schema (openapi-python-client).

Run by .ci/schemathesis.sh against a live server, with the generated package
`caricc_client` on PYTHONPATH and CONTRACT_BASE_URL, CONTRACT_TOKEN in the
environment. Every answer is parsed by the generated models, so an answer that
breaks the schema (a null where a value is declared, an enum value missing...)
fails here as it would in an integrator's system.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import uuid
from http import HTTPStatus

from caricc_client import AuthenticatedClient
from caricc_client.api.v1 import (
    changes_list,
    v1_intel_records_list,
    v1_intel_records_retrieve,
    v1_intel_rfis_list,
    v1_intel_rfis_retrieve,
    v1_intel_seizures_create,
    v1_operations_list,
    v1_operations_retrieve,
    v1_reports_list,
    v1_states_list,
)
from caricc_client.models import SeizureCreateRequest


def ok(response, what: str):
    """The parsed body of a 2xx answer; anything else stops the day with the reason."""
    if response.status_code not in (HTTPStatus.OK, HTTPStatus.CREATED):
        raise SystemExit(f"{what}: HTTP {response.status_code} {response.content[:300]!r}")
    if response.parsed is None:
        raise SystemExit(f"{what}: the generated client could not parse the answer")
    print(f"ok  {what}")
    return response.parsed


def main() -> int:
    client = AuthenticatedClient(
        base_url=os.environ["CONTRACT_BASE_URL"], token=os.environ["CONTRACT_TOKEN"], prefix="Token"
    )
    # Morning: the directory and the inbox.
    ok(v1_states_list.sync_detailed(client=client), "states list")
    inbox = ok(v1_intel_records_list.sync_detailed(client=client, inbox=True, page_size=20), "inbox")
    for row in inbox.results[:3]:
        record = ok(v1_intel_records_retrieve.sync_detailed(row.id, client=client), f"record {row.reference}")
        assert record.id == row.id
    rfis = ok(v1_intel_rfis_list.sync_detailed(client=client), "requests for information")
    for row in rfis.results[:3]:
        rfi = ok(v1_intel_rfis_retrieve.sync_detailed(row.id, client=client), f"RFI {row.reference}")
        assert rfi.urgency and rfi.deadline
    operations = ok(v1_operations_list.sync_detailed(client=client), "operations")
    for row in operations.results[:3]:
        ok(v1_operations_retrieve.sync_detailed(row.id, client=client), f"operation {row.id}")
    ok(v1_reports_list.sync_detailed(client=client), "reports")

    # Where the change feed stands before the day's work.
    cursor = ok(changes_list.sync_detailed(client=client, after=0, page_size=500), "change feed").cursor
    while True:
        page = ok(changes_list.sync_detailed(client=client, after=cursor, page_size=500), "change feed page")
        cursor = page.cursor
        if not page.next_:
            break

    # Noon: a seizure report, sent twice with the same Idempotency-Key (a retried upload).
    key = f"partner-day-{uuid.uuid4()}"
    body = SeizureCreateRequest.from_dict(
        {
            "title": "Partner day: heroin at the border",
            "summary": "Sent by the contract test",
            "tlp": "AMBER",
            "handling_code": "H0",
            "classification": "restricted",
            "source_reliability": "B",
            "information_credibility": "2",
            "share_with": ["UZ"],
            "seizure": {
                "occurred_at": (dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)).isoformat(),
                "country": "KZ",
                "place": "Zhibek Zholy",
                "place_type": "border",
            },
            "items": [{"substance": "heroin", "form": "powder", "quantity": "2.500", "unit": "kg"}],
        }
    )
    first = ok(v1_intel_seizures_create.sync_detailed(client=client, body=body, idempotency_key=key), "seizure")
    again = ok(v1_intel_seizures_create.sync_detailed(client=client, body=body, idempotency_key=key), "replay")
    assert first.id == again.id, "the same Idempotency-Key made a second record"

    # Evening: follow the change feed; the new seizure is there as an upsert.
    seen = set()
    while True:
        page = ok(changes_list.sync_detailed(client=client, after=cursor, page_size=100), "changes since morning")
        seen |= {(c.kind, c.object_id, c.op) for c in page.results}
        cursor = page.cursor
        if not page.next_:
            break
    plain = {(getattr(k, "value", k), i, getattr(op, "value", op)) for k, i, op in seen}
    assert ("intel.record", first.id, "upsert") in plain, plain
    print("a partner's day: done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
