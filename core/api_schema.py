"""The OpenAPI schema tells every answer an operation can give (drf-spectacular hook).

drf-spectacular documents the success answer of each operation only. A generated
client (and schemathesis) must also know the error answers and their body shape,
which are the same for every endpoint because one exception handler
(core.api.exception_handler) writes them:

- 400: a validation error, `{"<field or parameter>": ["message", ...]}` (a list of
  such objects for a batch body);
- 401, 403, 404, 409, 422, 429, 503: `{"detail": "message"}`; 429 and 503 carry
  `Retry-After`.

Which of them an operation documents: every operation needs credentials (401) and
may be refused (403), throttled (429), find the database busy (503), refuse a
malformed parameter or body (400) or miss (404: out of scope, or a collection the
caller's role does not see); writes may conflict with the object's state (409);
an Idempotency-Key reused with another body answers 422, a batch too large 413.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers

ERROR_COMPONENT = {
    "type": "object",
    "description": "The error body of every non-validation error.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR_COMPONENT = {
    "description": "Messages per field or query parameter (a list of such objects for a batch body); "
    "`non_field_errors` holds messages about the whole body.",
    "oneOf": [
        {"type": "object", "additionalProperties": {}},
        {"type": "array", "items": {}},
    ],
}
RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before trying again."}}
DESCRIPTIONS = {
    "400": "Invalid parameter or body; the body names each offending field or parameter.",
    "401": "No credentials, or invalid, expired or revoked ones.",
    "403": "Authenticated but not allowed (role, object permission or token scope).",
    "404": "No such object, or not visible to the caller (existence is not revealed).",
    "409": "Illegal in the object's current state.",
    "413": "Too many objects in one request; the message names the limit.",
    "422": "The Idempotency-Key was already used with another request body.",
    "429": "Too many requests for this token or user; retry after `Retry-After` seconds.",
    "503": "The service is busy (e.g. a database lock wait timed out); retry after `Retry-After` seconds.",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def _error_response(code: str) -> dict:
    ref = "ValidationError" if code == "400" else "Error"
    response = {
        "description": DESCRIPTIONS[code],
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }
    if code in ("429", "503"):
        response["headers"] = dict(RETRY_AFTER)
    return response


def statuses_for(method: str, operation: dict) -> list[str]:
    """The error statuses an operation can answer with (see the module docstring)."""
    params = operation.get("parameters", [])
    # 400 everywhere: bodies, query parameters, and a path parameter that is not an id.
    codes = ["400", "401", "403", "429", "503"]
    # Every operation may answer 404: an object out of scope, a cursor that leads
    # nowhere, or a whole collection that the caller's role does not see.
    codes.append("404")
    if method in WRITE_METHODS:
        codes.append("409")
    if any(p.get("in") == "header" and p.get("name") == "Idempotency-Key" for p in params):
        codes.append("422")
        codes.append("413")  # batch endpoints cap the number of objects per request
    return sorted(codes)


def add_error_responses(result: dict, generator, request, public) -> dict:
    """Postprocessing hook: the Error components and every operation's error answers."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR_COMPONENT)
    schemas.setdefault("ValidationError", VALIDATION_ERROR_COMPONENT)
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            if not operation.get("security") and operation.get("security") is not None:
                # An operation open to anyone is not refused for lack of credentials.
                codes = [c for c in statuses_for(method, operation) if c not in ("401", "403")]
            else:
                codes = statuses_for(method, operation)
            for code in codes:
                responses.setdefault(code, _error_response(code))
    return result


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's AutoSchema, exact about read-only relations that may be empty.

    A declared `SlugRelatedField(read_only=True)` or `PrimaryKeyRelatedField(read_only=True)`
    does not tell drf-spectacular that its model column is nullable, so an answer with
    `"agency": null` broke the schema. The model field is the truth: mark it nullable.
    """

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        result = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            field.read_only
            and isinstance(field, serializers.RelatedField)
            and _model_field_is_null(field)
            and "$ref" not in result
        ):
            result["nullable"] = True
        return result


def _model_field_is_null(field) -> bool:
    """Whether the model field behind a serializer field (dotted sources followed) may be NULL."""
    parent = field.parent
    model = getattr(getattr(parent, "Meta", None), "model", None)
    if model is None or not field.source or field.source == "*":
        return False
    for name in field.source.split("."):
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        if model_field.null:
            return True
        model = model_field.related_model
        if model is None:
            return False
    return False


class DirectionalChoiceField(serializers.ChoiceField):
    """A choice field that accepts `choices` but may answer with more (`output_choices`).

    E.g. an operation's participant role: a client writes participant, transit or
    observer, and reads those plus `lead` (the lead state's own row).
    """

    def __init__(self, *, output_choices, **kwargs):
        self.output_choices = list(output_choices)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value if value in ("", None) else str(value)


class DirectionalChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = DirectionalChoiceField

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            field = serializers.ChoiceField(choices=self.target.output_choices)
        else:
            field = serializers.ChoiceField(choices=self.target.choices)
        field.field_name = self.target.field_name
        return auto_schema._map_serializer_field(field, direction, bypass_extensions=True)
