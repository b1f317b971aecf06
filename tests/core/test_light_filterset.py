"""core.filters.LightFilterSet: per-instance filters without deep copies, one form class per FilterSet."""

from django.test import RequestFactory

from intel.filters import IntelRecordFilterSet
from intel.models import IntelRecord


def test_each_instance_has_its_own_filters_bound_to_itself(db):
    rf = RequestFactory()
    a = IntelRecordFilterSet({"inbox": "true"}, queryset=IntelRecord.objects.none(), request=rf.get("/a"))
    b = IntelRecordFilterSet({"inbox": "false"}, queryset=IntelRecord.objects.none(), request=rf.get("/b"))
    for name in a.filters:
        assert a.filters[name] is not b.filters[name]
        assert a.filters[name].parent is a and b.filters[name].parent is b
        assert IntelRecordFilterSet.base_filters[name] is not a.filters[name]
    # Method filters call the method of their own instance.
    assert a.filters["inbox"].filter.f is a.filters["inbox"]
    assert getattr(IntelRecordFilterSet.base_filters["inbox"], "parent", None) is None


def test_the_form_class_is_built_once_and_still_validates(db):
    a = IntelRecordFilterSet({"kind": "rfi", "created_after": "2026-03-10"}, queryset=IntelRecord.objects.none())
    b = IntelRecordFilterSet({"kind": "nonsense"}, queryset=IntelRecord.objects.none())
    assert type(a.form) is type(b.form)
    assert a.is_valid() and not b.is_valid()
    assert "kind" in b.errors
