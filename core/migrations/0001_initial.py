# Moves ReferenceSequence (from members) and IdempotencyKey (from intel) into the
# foundation. Their tables keep their names: only Django's model state moves.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("members", "0003_user_manager"),
        ("intel", "0004_reference_sequence_moved_to_members"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ReferenceSequence",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("series", models.CharField(max_length=20, verbose_name="series")),
                        ("year", models.PositiveIntegerField(verbose_name="year")),
                        ("last", models.PositiveIntegerField(default=0, verbose_name="last number")),
                    ],
                    options={
                        "verbose_name": "reference sequence",
                        "verbose_name_plural": "reference sequences",
                        "db_table": "members_referencesequence",
                        "ordering": ["series", "year"],
                        "constraints": [
                            models.UniqueConstraint(fields=("series", "year"), name="members_refseq_unique_series_year")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="IdempotencyKey",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("key", models.CharField(max_length=200)),
                        ("endpoint", models.CharField(max_length=100)),
                        ("status_code", models.PositiveSmallIntegerField()),
                        ("response", models.JSONField()),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "idempotency key",
                        "verbose_name_plural": "idempotency keys",
                        "db_table": "intel_idempotencykey",
                        "constraints": [
                            models.UniqueConstraint(fields=("user", "endpoint", "key"), name="intel_idempotency_unique")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
