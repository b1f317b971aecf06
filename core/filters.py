"""A django-filter FilterSet without the per-request copies it does not need.

django-filter deep-copies every declared filter (with its choices) for each
FilterSet instance, then builds a new form class whose fields Django deep-copies
again: on an API list of 50 rows that was about a third of the request's Python
time (docs/performance.md, issue 15). Filters are never changed after their
declaration (their `extra`, choices and labels are read, not written), so a
shallow copy per instance is enough, and the form class can be built once per
FilterSet class (its fields' labels stay lazy, translated when rendered).
"""

from __future__ import annotations

import copy

import django_filters
from django.http import QueryDict


class LightFilterSet(django_filters.FilterSet):
    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        # A shallow copy per filter: each instance gets its own model and parent.
        self.filters = {name: copy.copy(f) for name, f in self.base_filters.items()}
        for filter_ in self.filters.values():
            filter_.model = queryset.model
            filter_.parent = self
            if filter_.method is not None:
                filter_.method = filter_.method  # a FilterMethod bound to this copy, not to the declaration

    def get_form_class(self):
        cls = type(self)
        if "_light_form_class" not in cls.__dict__:
            cls._light_form_class = super().get_form_class()
        return cls._light_form_class
