"""Every write to programmes goes through here, with its audit entry, in one transaction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms import ModelForm
from django.utils.translation import gettext as _

from plenary.core import audit
from plenary.organisations.models import Organisation
from plenary.programmes import selectors
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
def save_form(form: ModelForm, *, actor) -> Any:
    """Saves a validated console form and writes who changed what to the audit log."""
    instance = form.instance
    creating = instance.pk is None
    before = None if creating else audit.snapshot(instance)
    saved = form.save()
    audit.record(
        actor=actor,
        action=audit.AuditEntry.Action.CREATE if creating else audit.AuditEntry.Action.UPDATE,
        instance=saved,
        programme=programme_of(saved),
        before=before,
        after=audit.snapshot(saved),
    )
    return saved


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
    if (
        not actor.is_superuser
        and not selectors.organiser_organisations(actor).filter(pk=organisation.pk).exists()
    ):
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
    """Adds a session; ``venue`` (name and capacity) is found by name or created."""
    venue_obj = None
    if venue:
        venue_obj = Venue.objects.filter(name_en=venue["name"]).first()
        if venue_obj is None:
            venue_obj = Venue(
                name_en=venue["name"], name_zh=venue.get("name_zh", ""), capacity=venue["capacity"]
            )
            venue_obj.full_clean()
            venue_obj.save()
        elif venue_obj.capacity != venue["capacity"]:
            venue_obj.capacity = venue["capacity"]
            venue_obj.full_clean()
            venue_obj.save()
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
