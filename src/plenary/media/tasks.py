"""Background work for photos: thin wrappers around the services."""

from django_tasks import task


@task()
def make_renditions(photo_id: int) -> None:
    from plenary.media import services

    services.make_renditions(photo_id)
