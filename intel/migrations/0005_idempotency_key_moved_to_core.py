# IdempotencyKey now belongs to core (core/migrations/0001_initial.py); the table
# intel_idempotencykey stays where it is.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("intel", "0004_reference_sequence_moved_to_members"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IdempotencyKey")],
            database_operations=[],
        ),
    ]
