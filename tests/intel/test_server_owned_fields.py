"""Server-owned fields are read-only everywhere (issue 10, item 5): who wrote a record, for
which state and when is the server's fact, never the client's, in every API serializer and
every UI form of the portal. (A donor payment's "reference" is the bank's, typed by the user.)"""

import importlib
import inspect

import pytest
from django import forms
from django.apps import apps
from rest_framework import serializers

SERVER_OWNED = {
    "created_at",
    "updated_at",
    "originating_state",
    "author",
    "created_by",
    "requested_by",
    "requesting_state",
    "uploaded_by",
    "uploaded_at",
    "decided_by",
    "decided_at",
    "changed_by",
    "changed_at",
}


def _classes(module_suffix: str, base: type) -> list[type]:
    found = []
    for config in apps.get_app_configs():
        if config.name.split(".")[0] not in {"intel", "members", "operations", "donors", "reports", "notifications"}:
            continue
        try:
            module = importlib.import_module(f"{config.name}.{module_suffix}")
        except ModuleNotFoundError:
            continue
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, base) and cls.__module__ == module.__name__:
                found.append(cls)
    return found


@pytest.mark.parametrize(
    "serializer_class", _classes("api.serializers", serializers.Serializer), ids=lambda c: c.__qualname__
)
def test_no_api_serializer_takes_a_server_owned_field_from_the_client(serializer_class):
    try:
        fields = serializer_class().fields
    except Exception as exc:  # a serializer that needs context to build its fields
        pytest.skip(f"needs context: {exc}")
    writable = sorted(name for name, field in fields.items() if name in SERVER_OWNED and not field.read_only)
    assert writable == []


@pytest.mark.parametrize("form_class", _classes("forms", forms.ModelForm), ids=lambda c: c.__qualname__)
def test_no_model_form_has_a_server_owned_field(form_class):
    assert sorted(SERVER_OWNED & set(form_class.base_fields)) == []
