# Issue 15, filters on their own indexes: the record's status copied into the recipient
# rows, and the substance tables (RecordSubstance for centre roles, RecipientSubstance
# per state group), each backfilled by one set-based statement before its indexes are built.

import django.db.models.deletion
from django.db import migrations, models

# Only the archived records' rows change (the new column's default is 'active').
BACKFILL_STATUS = """
UPDATE intel_intelrecordrecipient
SET status = (SELECT r.status FROM intel_intelrecord r WHERE r.id = intel_intelrecordrecipient.content_object_id)
WHERE content_object_id IN (SELECT id FROM intel_intelrecord WHERE status <> 'active')
"""

BACKFILL_SUBSTANCES = """
INSERT INTO intel_recordsubstance (record_id, substance, created_at)
SELECT DISTINCT s.record_id, i.substance, r.created_at
FROM intel_seizureitem i
JOIN intel_seizurereport s ON s.id = i.seizure_id
JOIN intel_intelrecord r ON r.id = s.record_id
"""

BACKFILL_RECIPIENT_SUBSTANCES = """
INSERT INTO intel_recipientsubstance (group_id, record_id, substance, created_at)
SELECT v.group_id, s.record_id, s.substance, s.created_at
FROM intel_recordsubstance s
JOIN intel_intelrecordrecipient v ON v.content_object_id = s.record_id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("intel", "0013_dissemination_request_created_at_server_owned"),
        ("members", "0007_api_token_scopes"),
    ]

    operations = [
        migrations.CreateModel(
            name="RecipientSubstance",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "substance",
                    models.CharField(
                        choices=[
                            ("heroin", "Heroin"),
                            ("opium", "Opium"),
                            ("morphine", "Morphine"),
                            ("cannabis_resin", "Cannabis resin (hashish)"),
                            ("cannabis_herb", "Cannabis herb (marijuana)"),
                            ("cocaine", "Cocaine"),
                            ("methamphetamine", "Methamphetamine"),
                            ("amphetamine", "Amphetamine"),
                            ("synthetic_cathinones", "Synthetic cathinones"),
                            ("synthetic_cannabinoids", "Synthetic cannabinoids"),
                            ("nps", "New psychoactive substances"),
                            ("acetic_anhydride", "Precursor: acetic anhydride"),
                            ("other_precursor", "Precursor: other"),
                            ("other", "Other"),
                        ],
                        max_length=25,
                    ),
                ),
                ("created_at", models.DateTimeField()),
            ],
            options={
                "verbose_name": "record recipient substance",
                "verbose_name_plural": "record recipient substances",
            },
        ),
        migrations.CreateModel(
            name="RecordSubstance",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "substance",
                    models.CharField(
                        choices=[
                            ("heroin", "Heroin"),
                            ("opium", "Opium"),
                            ("morphine", "Morphine"),
                            ("cannabis_resin", "Cannabis resin (hashish)"),
                            ("cannabis_herb", "Cannabis herb (marijuana)"),
                            ("cocaine", "Cocaine"),
                            ("methamphetamine", "Methamphetamine"),
                            ("amphetamine", "Amphetamine"),
                            ("synthetic_cathinones", "Synthetic cathinones"),
                            ("synthetic_cannabinoids", "Synthetic cannabinoids"),
                            ("nps", "New psychoactive substances"),
                            ("acetic_anhydride", "Precursor: acetic anhydride"),
                            ("other_precursor", "Precursor: other"),
                            ("other", "Other"),
                        ],
                        max_length=25,
                    ),
                ),
                ("created_at", models.DateTimeField()),
            ],
            options={
                "verbose_name": "record substance",
                "verbose_name_plural": "record substances",
            },
        ),
        migrations.AddField(
            model_name="intelrecordrecipient",
            name="status",
            field=models.CharField(
                choices=[("active", "Active"), ("archived", "Archived")], default="active", max_length=10
            ),
        ),
        migrations.RunSQL(BACKFILL_STATUS, migrations.RunSQL.noop, elidable=True),
        migrations.AddIndex(
            model_name="intelrecordrecipient",
            index=models.Index(
                fields=["group", "status", "created_at", "content_object"], name="intel_recipient_status_idx"
            ),
        ),
        migrations.AddField(
            model_name="recipientsubstance",
            name="group",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="auth.group"
            ),
        ),
        migrations.AddField(
            model_name="recipientsubstance",
            name="record",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="recipient_substance_rows",
                to="intel.intelrecord",
            ),
        ),
        migrations.AddField(
            model_name="recordsubstance",
            name="record",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="substance_rows", to="intel.intelrecord"
            ),
        ),
        migrations.RunSQL(BACKFILL_SUBSTANCES, migrations.RunSQL.noop, elidable=True),
        migrations.RunSQL(BACKFILL_RECIPIENT_SUBSTANCES, migrations.RunSQL.noop, elidable=True),
        migrations.AddIndex(
            model_name="recipientsubstance",
            index=models.Index(
                fields=["group", "substance", "created_at", "record"], name="intel_recipient_substance_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="recipientsubstance",
            constraint=models.UniqueConstraint(
                fields=("group", "record", "substance"), name="intel_recipient_substance_unique"
            ),
        ),
        migrations.AddIndex(
            model_name="recordsubstance",
            index=models.Index(fields=["substance", "created_at", "record"], name="intel_substance_order_idx"),
        ),
        migrations.AddConstraint(
            model_name="recordsubstance",
            constraint=models.UniqueConstraint(fields=("record", "substance"), name="intel_substance_unique"),
        ),
    ]
