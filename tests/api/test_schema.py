"""The OpenAPI schema is the truth: every operation documents its errors, enums and nulls are exact."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, op


def test_every_operation_documents_its_error_answers(schema):
    assert "Error" in schema["components"]["schemas"]
    for path, method, op in operations(schema):
        codes = set(op["responses"])
        assert {"400", "401", "403", "404", "429", "503"} <= codes, (method, path)
        if method != "get":
            assert "409" in codes, (method, path)
        assert op["responses"]["429"]["headers"]["Retry-After"]


def test_request_bodies_are_json_except_uploads(schema):
    for path, method, op in operations(schema):
        content = set(op.get("requestBody", {}).get("content", {}))
        if path.endswith("/attachments/"):
            assert content == {"multipart/form-data"}, path
        elif content:
            assert content == {"application/json"}, (method, path)


def test_exact_enums_and_nulls(schema):
    components = schema["components"]["schemas"]
    assert "lead" in components["ParticipantRoleEnum"]["enum"]
    assert "lead" not in components["ParticipantRoleRequestEnum"]["enum"]
    assert components["RecordDetail"]["properties"]["agency"]["nullable"] is True
    assert components["ReportRequest"]["properties"]["owner_state"]["nullable"] is True
    assert {"urgency", "deadline"} <= set(components["RFIDetail"]["required"])
    assert "deadline" in components["RFIList"]["required"]


def test_downloads_declare_their_content_types(schema):
    download = schema["paths"]["/api/v1/reports/{id}/download/"]["get"]["responses"]["200"]["content"]
    assert {"text/csv", "application/pdf"} <= set(download)


def test_collections_take_updated_since(schema):
    params = {p["name"] for p in schema["paths"]["/api/v1/intel/records/"]["get"]["parameters"]}
    assert {"updated_since", "page_size", "cursor"} <= params
