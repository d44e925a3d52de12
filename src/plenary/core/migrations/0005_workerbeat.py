from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_staff_audit_actions"),
    ]

    operations = [
        migrations.CreateModel(
            name="WorkerBeat",
            fields=[
                ("worker_id", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("beat_at", models.DateTimeField()),
            ],
            options={
                "verbose_name": "worker heartbeat",
                "verbose_name_plural": "worker heartbeats",
            },
        ),
    ]
