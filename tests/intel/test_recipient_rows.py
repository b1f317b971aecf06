"""The recipient table stays exactly the set of view grants, and lists are read through it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.sharing import grant, revoke
from intel.models import IntelRecord, IntelRecordGroupObjectPermission, IntelRecordRecipient


def recipient_rows() -> set[tuple[int, int, bool]]:
    return set(IntelRecordRecipient.objects.values_list("group_id", "content_object_id", "own"))


def view_grants_as_rows() -> set[tuple[int, int, bool]]:
    """What the recipient table must hold: one row per view grant, `own` for the originator's group."""
    return {
        (g.group_id, g.content_object_id, g.group_id == g.content_object.originating_state.group_id)
        for g in IntelRecordGroupObjectPermission.objects.filter(
            permission__codename="view_intelrecord"
        ).select_related("content_object__originating_state")
    }


@pytest.fixture
def records(officer_kz, make_record, uz):
    return [make_record(officer_kz, recipients=[uz], title=f"R{i}") for i in range(3)]


def test_grant_and_revoke_keep_the_recipient_table_exact(records, kz, uz, kg):
    assert recipient_rows() == view_grants_as_rows()
    assert len(recipient_rows()) == 6  # KZ (own) and UZ on each record

    ids = [r.pk for r in records]
    grant(IntelRecord, ids, [kg], ("view",))
    grant(IntelRecord, ids, [kg], ("view",))  # idempotent
    assert recipient_rows() == view_grants_as_rows()
    assert IntelRecordRecipient.objects.filter(group=kg.group).count() == 3

    revoke(IntelRecord, ids[:1], [kg], ("change",))  # another action: the view row stays
    assert IntelRecordRecipient.objects.filter(group=kg.group).count() == 3
    revoke(IntelRecord, ids[:1], [kg])
    revoke(IntelRecord, ids[1:2], [uz], ("view",))
    assert recipient_rows() == view_grants_as_rows()
    assert IntelRecordRecipient.objects.filter(group=kg.group).count() == 2


def test_recipient_rows_carry_the_records_created_at_and_mark_the_originator(records, kz, uz):
    for row in IntelRecordRecipient.objects.select_related("content_object"):
        assert row.created_at == row.content_object.created_at
        assert row.own == (row.group_id == kz.group_id)


def test_set_recipients_and_queryset_sharing_go_through_the_table(records, kz, uz, kg):
    records[0].set_recipients([kg])
    IntelRecord.objects.filter(pk=records[1].pk).unshare([uz])
    IntelRecord.objects.filter(pk=records[2].pk).share_with([kg])
    assert recipient_rows() == view_grants_as_rows()


def test_deleting_a_record_removes_its_rows(records):
    records[0].delete()
    assert not IntelRecordRecipient.objects.filter(content_object_id=records[0].pk).exists()


def test_a_state_officers_list_joins_the_table_once_and_keeps_its_semantics(
    records, officer_kz, officer_uz, officer_kg, make_record, kz, uz
):
    sql = str(IntelRecord.objects.visible_to(officer_uz).from_other_states(officer_uz).query)
    assert sql.count(IntelRecordRecipient._meta.db_table) == 1
    assert "EXISTS" not in sql

    mine = make_record(officer_uz, recipients=[kz], title="UZ's own")
    assert set(IntelRecord.objects.visible_to(officer_uz)) == {*records, mine}
    assert set(IntelRecord.objects.visible_to(officer_uz).from_other_states(officer_uz)) == set(records)
    assert set(IntelRecord.objects.visible_to(officer_kz).from_other_states(officer_kz)) == {mine}
    assert not IntelRecord.objects.visible_to(officer_kg).exists()


def test_a_date_range_is_repeated_on_the_recipient_rows(records, officer_uz):
    cutoff = timezone.now() + timedelta(days=1)
    qs = IntelRecord.objects.visible_to(officer_uz).filter(created_at__lt=cutoff)
    assert 'visible_row."created_at" <' in str(qs.query)
    assert set(qs) == set(records)
    assert not IntelRecord.objects.visible_to(officer_uz).filter(created_at__gte=cutoff).exists()


def test_centre_roles_and_users_without_a_state_group_do_not_use_the_table(records, coordinator):
    assert IntelRecordRecipient._meta.db_table not in str(IntelRecord.objects.visible_to(coordinator).query)
    assert IntelRecord.objects.visible_to(coordinator).count() == 3
