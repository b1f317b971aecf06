# ReferenceSequence now belongs to core (core/migrations/0001_initial.py); the
# table members_referencesequence stays where it is.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0003_user_manager"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ReferenceSequence")],
            database_operations=[],
        ),
    ]
