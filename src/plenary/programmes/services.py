"""Every write to programmes goes through here, with its audit entry, in one transaction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext as _

from plenary.access import rules as access
from plenary.core import audit
from plenary.organisations.models import Organisation
from plenary.programmes.models import AgendaItem, CoOrganiser, Programme, Session, Venue


def programme_of(instance) -> Programme | None:
    """The programme an object belongs to, for the audit log."""
    if isinstance(instance, Programme):
        return instance
    if hasattr(instance, "programme"):
        return instance.programme
    if hasattr(instance, "session"):
        return instance.session.programme
    return None


@transaction.atomic
def save(instance: models.Model, *, actor, many: dict[str, Any] | None = None) -> Any:
    """Saves a new or changed, validated object of a programme (a session, speaker, run-down item …,
    as a console form's ``save(commit=False)`` gives it) with its many-to-many values, and writes who
    changed what to the audit log.

    Saving a session makes its seat counters follow (``registrations/signals.py``): a capacity below
    the seats already confirmed raises ``CapacityBelowSeats`` and nothing is saved.
    """
    creating = instance._state.adding or instance.pk is None
    before = None if creating else audit.snapshot(instance)  # read back from the database
    instance.save()
    for name, values in (many or {}).items():
        getattr(instance, name).set(values)
    audit.record(
        actor=actor,
        action=audit.AuditEntry.Action.CREATE if creating else audit.AuditEntry.Action.UPDATE,
        instance=instance,
        programme=programme_of(instance),
        before=before,
        after=audit.snapshot(instance),
    )
    return instance


@transaction.atomic
def save_venue(venue: Venue, *, actor, lead_of: Programme | None = None) -> Venue:
    """Saves a venue of the actor's body. Its sessions' seat counters follow its capacity: a raise
    promotes their waiting lists in order, and a capacity below the seats already confirmed is refused
    (``CapacityBelowSeats``, nothing saved). The change is written to the audit log of every programme
    with a session there, so each programme's organisers see it."""
    if not access.edits_venue(actor, venue) and not (
        venue._state.adding
        and (actor.is_superuser or access.organiser_bodies(actor).filter(pk=venue.owner_id).exists())
    ):
        raise PermissionDenied(_("Only organiser staff of the venue's body may change it."))
    creating = venue._state.adding or venue.pk is None
    before = None if creating else audit.snapshot(venue)
    venue.full_clean()
    venue.save()
    after = audit.snapshot(venue)
    programmes = list(Programme.objects.filter(sessions__venue=venue).distinct()) or [None]
    for programme in programmes:
        audit.record(
            actor=actor,
            action=audit.AuditEntry.Action.CREATE if creating else audit.AuditEntry.Action.UPDATE,
            instance=venue,
            programme=programme,
            before=before,
            after=after,
        )
    return venue


@transaction.atomic
def delete(instance, *, actor) -> None:
    programme = programme_of(instance)
    before = audit.snapshot(instance)
    audit.record(
        actor=actor,
        action=audit.AuditEntry.Action.DELETE,
        instance=instance,
        programme=None if isinstance(instance, Programme) else programme,
        before=before,
    )
    instance.delete()


@transaction.atomic
def create_programme(
    *,
    actor,
    organisation: Organisation,
    slug: str,
    title_en: str,
    title_zh: str = "",
    starts_on: date,
    ends_on: date,
    status: str = Programme.Status.DRAFT,
    registration_open: bool = False,
    **extra: Any,
) -> Programme:
    """Creates a programme with ``organisation`` as its lead organiser.

    Raises ValidationError (field → messages) for bad values, including a taken slug.
    """
    if not actor.is_superuser and not access.organiser_bodies(actor).filter(pk=organisation.pk).exists():
        raise PermissionDenied(_("You are not organiser staff of that body."))
    programme = Programme(
        slug=slug,
        title_en=title_en,
        title_zh=title_zh,
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
        registration_open=registration_open,
        **extra,
    )
    programme.full_clean()
    programme.save()
    CoOrganiser.objects.create(programme=programme, organisation=organisation, role=CoOrganiser.Role.LEAD)
    audit.record(
        actor=actor,
        action=audit.AuditEntry.Action.CREATE,
        instance=programme,
        programme=programme,
        after=audit.snapshot(programme),
    )
    return programme


@transaction.atomic
def update_programme(*, actor, programme: Programme, changes: dict[str, Any]) -> Programme:
    before = audit.snapshot(programme)
    for field, value in changes.items():
        setattr(programme, field, value)
    programme.full_clean()
    programme.save()
    audit.record(
        actor=actor,
        action=audit.AuditEntry.Action.UPDATE,
        instance=programme,
        programme=programme,
        before=before,
        after=audit.snapshot(programme),
    )
    return programme


@transaction.atomic
def add_session(
    *,
    actor,
    programme: Programme,
    venue: dict[str, Any] | None = None,
    cpd_hours: Decimal | float | str = 0,
    **fields: Any,
) -> Session:
    """Adds a session. ``venue`` (name and capacity) is looked up by name only among the venues of the
    actor's own bodies (``access.owned_venues``), its capacity changed if it differs (through
    ``save_venue``); otherwise a new venue is created for the programme's lead organiser."""
    venue_obj = None
    if venue:
        venue_obj = access.owned_venues(actor).filter(name_en=venue["name"]).order_by("pk").first()
        if venue_obj is None:
            lead = programme.co_organisers.filter(role=CoOrganiser.Role.LEAD).first()
            venue_obj = save_venue(
                Venue(
                    name_en=venue["name"],
                    name_zh=venue.get("name_zh", ""),
                    capacity=venue["capacity"],
                    owner_id=lead.organisation_id if lead else None,
                ),
                actor=actor,
                lead_of=programme,
            )
        elif venue_obj.capacity != venue["capacity"]:
            venue_obj.capacity = venue["capacity"]
            save_venue(venue_obj, actor=actor)
    session = Session(programme=programme, venue=venue_obj, cpd_hours=Decimal(str(cpd_hours)), **fields)
    session.full_clean()
    session.save()
    audit.record(
        actor=actor,
        action=audit.AuditEntry.Action.CREATE,
        instance=session,
        programme=programme,
        after=audit.snapshot(session),
    )
    return session


@transaction.atomic
def move_item(item: AgendaItem, new_position: int, *, actor) -> list[AgendaItem]:
    """Moves a run-down item to ``new_position`` (1 = first) and renumbers the session's items 1, 2, 3…

    Start times follow from the order, so every later item re-flows. Positions outside the run-down
    are clamped to its first or last place. Returns the items in their new order.
    """
    items = list(
        AgendaItem.objects.select_for_update().filter(session_id=item.session_id).order_by("order", "id")
    )
    old_position = next(index for index, other in enumerate(items, start=1) if other.pk == item.pk)
    new_position = max(1, min(new_position, len(items)))
    moving = items.pop(old_position - 1)
    items.insert(new_position - 1, moving)
    changed = []
    for order, other in enumerate(items, start=1):
        if other.order != order:
            other.order = order
            changed.append(other)
    AgendaItem.objects.bulk_update(changed, ["order"])
    if old_position != new_position:
        audit.record(
            actor=actor,
            action=audit.AuditEntry.Action.UPDATE,
            instance=moving,
            programme=moving.session.programme,
            before={"position": old_position},
            after={"position": new_position},
            summary=f"Moved in the run-down from {old_position} to {new_position}",
        )
    return items
