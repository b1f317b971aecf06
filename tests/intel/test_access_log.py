"""Every detail view writes exactly one access log entry; nothing can change or delete one."""

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from intel.models import AccessLog, AppendOnlyError

pytestmark = pytest.mark.django_db


def test_every_detail_view_writes_exactly_one_entry(officer_kz, officer_uz, uz, make_record, client_for, api_for):
    record = make_record(officer_kz, recipients=[uz])
    client_for(officer_uz).get(record.get_absolute_url(), REMOTE_ADDR="10.1.2.3")
    assert AccessLog.objects.filter(record=record).count() == 1
    entry = AccessLog.objects.get()
    assert (entry.user, entry.state, entry.action, entry.ip) == (officer_uz, uz, "view", "10.1.2.3")
    api_for(officer_uz).get(f"/api/v1/intel/records/{record.pk}/")
    assert AccessLog.objects.filter(record=record).count() == 2
    # Lists do not log (they show no record's content beyond its title and markings).
    api_for(officer_uz).get("/api/v1/intel/records/")
    client_for(officer_uz).get("/intel/")
    assert AccessLog.objects.filter(record=record).count() == 2


def test_an_out_of_scope_attempt_writes_nothing(officer_kz, officer_kg, make_record, client_for):
    record = make_record(officer_kz)
    assert client_for(officer_kg).get(record.get_absolute_url()).status_code == 404
    assert not AccessLog.objects.exists()


def test_entries_cannot_be_changed_or_deleted(officer_kz, make_record, client_for):
    record = make_record(officer_kz)
    client_for(officer_kz).get(record.get_absolute_url())
    entry = AccessLog.objects.get()
    entry.action = "export"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.filter(pk=entry.pk).update(action="export")
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.all().delete()
    entry.refresh_from_db()
    assert entry.action == "view" and AccessLog.objects.count() == 1


@pytest.mark.postgres
def test_the_database_refuses_raw_sql_changes_too(officer_kz, make_record, client_for):
    from django.db import DatabaseError, connection, transaction

    record = make_record(officer_kz)
    client_for(officer_kz).get(record.get_absolute_url())
    for sql in ("UPDATE intel_accesslog SET action = 'export'", "DELETE FROM intel_accesslog"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AccessLog.objects.get().action == "view"


def test_the_admin_is_read_only(admin_user, officer_kz, make_record):
    model_admin = site._registry[AccessLog]
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_the_api_offers_no_write_path(officer_kz, make_record, api_for, client_for, coordinator):
    record = make_record(officer_kz)
    client_for(officer_kz).get(record.get_absolute_url())
    api = api_for(coordinator)
    url = f"/api/v1/intel/records/{record.pk}/access-log/"
    assert api.post(url, {}, format="json").status_code == 405
    assert api.put(url, {}, format="json").status_code == 405
    assert api.delete(url).status_code == 405
    assert AccessLog.objects.count() == 1


def test_an_export_logs_every_exported_record_and_only_visible_ones(
    officer_kz, officer_uz, uz, make_record, client_for
):
    shared = make_record(officer_kz, recipients=[uz], title="Shared", tlp="RED")
    hidden = make_record(officer_kz, title="Not shared")
    response = client_for(officer_uz).get("/intel/export.csv")
    body = b"".join(response.streaming_content).decode()
    assert response.status_code == 200 and shared.reference in body and "TLP:RED" in body
    assert hidden.reference not in body
    assert list(AccessLog.objects.values_list("record_id", "action", "user__username")) == [
        (shared.pk, "export", "officer-uz")
    ]
