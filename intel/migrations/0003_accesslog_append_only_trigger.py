"""Make the read audit append-only in the database itself (PostgreSQL).

The model, queryset, admin and API already refuse to change or delete an access
log entry; this trigger also refuses raw SQL and any other client of the
database. TRUNCATE (used by test database flushes) is not affected.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION intel_accesslog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'intel_accesslog is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER intel_accesslog_append_only
    BEFORE UPDATE OR DELETE ON intel_accesslog
    FOR EACH ROW EXECUTE FUNCTION intel_accesslog_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS intel_accesslog_append_only ON intel_accesslog;
DROP FUNCTION IF EXISTS intel_accesslog_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("intel", "0002_grant_probe_index")]

    operations = [migrations.RunPython(create, drop)]
