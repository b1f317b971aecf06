# The recipient table (core.sharing.RecipientRowBase), filled from the existing view grants.

import django.db.models.deletion
from django.db import migrations, models

# One INSERT ... SELECT from the grant table: every view grant becomes a recipient
# row carrying the record's created_at, its originating state and whether the group
# is that state's.
BACKFILL = """
INSERT INTO intel_intelrecordrecipient (group_id, content_object_id, created_at, owner_state_id, own)
SELECT g.group_id, g.content_object_id, r.created_at, r.originating_state_id, COALESCE(s.group_id = g.group_id, FALSE)
FROM intel_intelrecordgroupobjectpermission g
JOIN intel_intelrecord r ON r.id = g.content_object_id
LEFT JOIN members_state s ON s.id = r.originating_state_id
WHERE g.permission_id IN (
    SELECT p.id FROM auth_permission p JOIN django_content_type ct ON ct.id = p.content_type_id
    WHERE ct.app_label = 'intel' AND ct.model = 'intelrecord' AND p.codename = 'view_intelrecord'
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("intel", "0007_remarking_requests_and_marking_changes"),
        ("members", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="IntelRecordRecipient",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField()),
                ("own", models.BooleanField(default=False, help_text="The group is the object's owner state's.")),
                (
                    "content_object",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recipient_rows",
                        to="intel.intelrecord",
                    ),
                ),
                (
                    "owner_state",
                    models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="members.state",
                    ),
                ),
                (
                    "group",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="auth.group",
                    ),
                ),
            ],
            options={
                "verbose_name": "record recipient",
                "verbose_name_plural": "record recipients",
                "indexes": [
                    models.Index(fields=["group", "created_at", "content_object"], name="intel_recipient_order_idx"),
                    models.Index(
                        condition=models.Q(("own", False)),
                        fields=["group", "created_at", "content_object"],
                        name="intel_recipient_inbox_idx",
                    ),
                    models.Index(
                        fields=["group", "owner_state", "created_at", "content_object"],
                        name="intel_recipient_owner_idx",
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("group", "content_object"), name="intel_recipient_unique")
                ],
            },
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
