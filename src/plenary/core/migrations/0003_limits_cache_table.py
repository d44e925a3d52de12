"""The table of the "limits" cache (Django's database cache) when Redis is not configured."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", "--database", schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_actions_known")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
