# Issue 16, `?updated_since=` for a state: the record's updated_at copied into its
# recipient rows (kept by the post_save receiver like the status), backfilled by one
# set-based statement before the column becomes NOT NULL and its index is built.

from django.db import migrations, models

BACKFILL_POSTGRESQL = """
UPDATE intel_intelrecordrecipient v SET updated_at = r.updated_at
FROM intel_intelrecord r WHERE r.id = v.content_object_id
"""

BACKFILL_OTHER = """
UPDATE intel_intelrecordrecipient SET updated_at = (
    SELECT r.updated_at FROM intel_intelrecord r WHERE r.id = intel_intelrecordrecipient.content_object_id
)
"""


def backfill(apps, schema_editor) -> None:
    sql = BACKFILL_POSTGRESQL if schema_editor.connection.vendor == "postgresql" else BACKFILL_OTHER
    schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("intel", "0014_filter_indexes_status_and_substances"),
        ("members", "0007_api_token_scopes"),
    ]

    operations = [
        migrations.AddField(
            model_name="intelrecordrecipient",
            name="updated_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="intelrecordrecipient",
            name="updated_at",
            field=models.DateTimeField(),
        ),
        migrations.AddIndex(
            model_name="intelrecordrecipient",
            index=models.Index(fields=["group", "updated_at", "content_object"], name="intel_recipient_updated_idx"),
        ),
    ]
