"""Serializer fields the API shares (issue 16: the schema is the truth)."""

from __future__ import annotations

from collections.abc import Mapping

from rest_framework import serializers


class ListRelatedField(serializers.ManyRelatedField):
    """A many-related field that takes a JSON list only.

    DRF's ManyRelatedField accepts any iterable but a string, so an object (`{}`)
    passed as its keys, i.e. an empty list, and was saved (schemathesis
    negative_data_rejection); ListField already refuses a mapping the same way.
    """

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            self.fail("not_a_list", input_type=type(data).__name__)
        return super().to_internal_value(data)


class StrictCharField(serializers.CharField):
    """Text that must arrive as a JSON string: DRF's CharField turns 0 into "0", which the
    schema (`type: string`) calls invalid (schemathesis negative_data_rejection)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)
