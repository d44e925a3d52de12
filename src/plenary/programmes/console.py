"""The organiser console for programmes: thin views over the services, scoped to the user's bodies."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from plenary.access import rules as access
from plenary.access.views import manages_programme, organiser_required
from plenary.core.errors import DomainError
from plenary.organisations.models import Organisation
from plenary.programmes import forms, selectors, services, tasks
from plenary.programmes.models import AgendaItem, CoOrganiser, Programme, Session, Speaker


def _saved(request, form, instance, **extra) -> bool:
    """Saves a console form's object through the service; a refusal (a capacity below the seats
    already taken, say) becomes the form's error. True when saved."""
    many = {
        field.name: form.cleaned_data[field.name]
        for field in instance._meta.many_to_many
        if field.name in form.cleaned_data
    }
    try:
        services.save(instance, actor=request.user, many=many, **extra)
    except DomainError as error:
        form.add_error(None, error.message)
        return False
    return True


@login_required
def manage_home(request):
    if not access.is_organiser(request.user):
        # Coordinators and check-in staff have pages of their own: send them there.
        landing = access.landing(request.user)
        if landing is not None:
            return redirect(landing)
        return render(request, "manage/no_console.html", status=403)
    programmes = access.managed_programmes(request.user).order_by("-starts_on")
    venues = access.owned_venues(request.user)
    return render(request, "manage/home.html", {"programmes": programmes, "venues": venues})


@organiser_required
def programme_new(request):
    organisations = (
        Organisation.objects.all() if request.user.is_superuser else access.organiser_bodies(request.user)
    )
    form = forms.NewProgrammeForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = {name: value for name, value in form.cleaned_data.items() if name != "lead_organisation"}
        programme = services.create_programme(
            actor=request.user, organisation=form.cleaned_data["lead_organisation"], **data
        )
        messages.success(request, _("Programme created."))
        return redirect("programmes:manage-programme", slug=programme.slug)
    return render(request, "manage/form.html", {"form": form, "title": _("New programme")})


@manages_programme
def programme_overview(request, programme):
    programme = selectors.programme_with_sessions(Programme.objects.filter(pk=programme.pk)).get()
    return render(
        request,
        "manage/programme.html",
        {"programme": programme, "venues": access.owned_venues(request.user)},
    )


@manages_programme
def programme_edit(request, programme):
    form = forms.ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid() and _saved(request, form, form.save(commit=False)):
        messages.success(request, _("Programme saved."))
        return redirect("programmes:manage-programme", slug=form.instance.slug)
    return render(
        request, "manage/form.html", {"form": form, "programme": programme, "title": _("Edit programme")}
    )


# Objects that belong to a programme share one create/edit/delete flow.
PROGRAMME_OBJECTS = {
    "sessions": (Session, forms.SessionForm, lambda p: p.sessions.all()),
    "speakers": (Speaker, forms.SpeakerForm, lambda p: p.speakers.all()),
    "organisers": (CoOrganiser, forms.CoOrganiserForm, lambda p: p.co_organisers.all()),
}


@manages_programme
def programme_object_edit(request, programme, kind, pk=None):
    if kind not in PROGRAMME_OBJECTS:
        raise Http404
    model, form_class, scope = PROGRAMME_OBJECTS[kind]
    instance = get_object_or_404(scope(programme), pk=pk) if pk else None
    form = form_class(request.POST or None, instance=instance, programme=programme)
    if request.method == "POST" and form.is_valid() and _saved(request, form, form.save(commit=False)):
        messages.success(request, _("Saved."))
        return redirect("programmes:manage-programme", slug=programme.slug)
    title = model._meta.verbose_name
    return render(
        request,
        "manage/form.html",
        {
            "form": form,
            "programme": programme,
            "title": (_("Edit %(thing)s") if instance else _("Add %(thing)s")) % {"thing": title},
            "delete_url": request.path + "delete/" if instance else None,
        },
    )


@manages_programme
@require_POST
def programme_object_delete(request, programme, kind, pk):
    if kind not in PROGRAMME_OBJECTS:
        raise Http404
    _model, _form, scope = PROGRAMME_OBJECTS[kind]
    instance = get_object_or_404(scope(programme), pk=pk)
    if kind == "organisers" and instance.role == CoOrganiser.Role.LEAD:
        messages.error(request, _("The lead organiser cannot be removed."))
    else:
        services.delete(instance, actor=request.user)
        messages.success(request, _("Deleted."))
    return redirect("programmes:manage-programme", slug=programme.slug)


@manages_programme
def agenda(request, programme, session_id, pk=None):
    session = get_object_or_404(programme.sessions, pk=session_id)
    instance = get_object_or_404(session.agenda_items, pk=pk) if pk else None
    if instance is None and request.method != "POST":
        next_order = (
            session.agenda_items.order_by("-order").values_list("order", flat=True).first() or 0
        ) + 1
        form = forms.AgendaItemForm(initial={"order": next_order}, session=session)
    else:
        form = forms.AgendaItemForm(request.POST or None, instance=instance, session=session)
    if request.method == "POST" and form.is_valid() and _saved(request, form, form.save(commit=False)):
        messages.success(request, _("Run-down saved."))
        return redirect("programmes:manage-agenda", slug=programme.slug, session_id=session.pk)
    return render(
        request,
        "manage/agenda.html",
        {**_rundown_context(programme, session), "form": form, "editing": instance},
    )


def _rundown_context(programme: Programme, session: Session) -> dict:
    slots = selectors.rundown(session)
    return {
        "programme": programme,
        "session": session,
        "slots": slots,
        "overrun_minutes": selectors.rundown_overrun_minutes(session, slots),
        "speakers_with_email": len(selectors.speaker_slots(session)),
    }


@manages_programme
@require_POST
def agenda_move(request, programme, session_id, pk):
    """Moves an item up, down or to a position; answers htmx/fetch calls with the re-flowed table."""
    item = get_object_or_404(AgendaItem, session__programme=programme, session_id=session_id, pk=pk)
    siblings = list(item.session.agenda_items.values_list("pk", flat=True))
    current = siblings.index(item.pk) + 1
    direction = request.POST.get("direction")
    if direction == "up":
        position = current - 1
    elif direction == "down":
        position = current + 1
    else:
        try:
            position = int(request.POST.get("position", ""))
        except ValueError:
            position = current
    position = max(1, min(position, len(siblings)))
    services.move_item(item, position, actor=request.user)
    message = _("Moved “%(title)s” to position %(position)s.") % {"title": item.title, "position": position}
    if request.headers.get("HX-Request"):
        session = get_object_or_404(programme.sessions, pk=session_id)
        context = {**_rundown_context(programme, session), "announcement": message}
        return render(request, "manage/_rundown_table.html", context)
    messages.success(request, message)
    return redirect("programmes:manage-agenda", slug=programme.slug, session_id=session_id)


@manages_programme
def agenda_pdf(request, programme, session_id):
    """The printable run-down in English (?lang=en) or Traditional Chinese (?lang=zh-hant)."""
    from plenary.programmes.rundown_pdf import rundown_pdf

    session = get_object_or_404(programme.sessions.select_related("venue"), pk=session_id)
    language = (
        request.GET.get("lang") if request.GET.get("lang") in ("en", "zh-hant") else request.LANGUAGE_CODE
    )
    response = HttpResponse(rundown_pdf(session, language), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="rundown-{session.pk}-{language}.pdf"'
    return response


@manages_programme
@require_POST
def agenda_email_speakers(request, programme, session_id):
    session = get_object_or_404(programme.sessions, pk=session_id)
    count = len(selectors.speaker_slots(session))
    if count:
        transaction.on_commit(lambda: tasks.email_speaker_slots.enqueue(session.pk))
        messages.success(
            request,
            ngettext(
                "Sending %(count)s speaker their slot.", "Sending %(count)s speakers their slots.", count
            )
            % {"count": count},
        )
    else:
        messages.warning(request, _("No speaker in this run-down has an email address yet."))
    return redirect("programmes:manage-agenda", slug=programme.slug, session_id=session_id)


@manages_programme
@require_POST
def agenda_delete(request, programme, session_id, pk):
    item = get_object_or_404(AgendaItem, session__programme=programme, session_id=session_id, pk=pk)
    services.delete(item, actor=request.user)
    messages.success(request, _("Deleted."))
    return redirect("programmes:manage-agenda", slug=programme.slug, session_id=session_id)


@organiser_required
def venue_edit(request, pk=None):
    """A venue of one of the organiser's bodies; its capacity is the room's (``registrations/seats.py``)."""
    instance = get_object_or_404(access.owned_venues(request.user), pk=pk) if pk else None
    bodies = (
        Organisation.objects.all() if request.user.is_superuser else access.organiser_bodies(request.user)
    )
    form = forms.VenueForm(request.POST or None, instance=instance, owners=bodies)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_venue(form.save(commit=False), actor=request.user)
        except DomainError as error:
            form.add_error("capacity", error.message)
        else:
            messages.success(request, _("Venue saved."))
            return redirect("programmes:manage-home")
    return render(
        request, "manage/form.html", {"form": form, "title": _("Edit venue") if instance else _("Add venue")}
    )


@manages_programme
def audit_log(request, programme):
    entries = programme.audit_entries.select_related("actor")
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    for entry in page:
        entry.type_label, entry.labelled_changes = _audit_labels(entry)
    return render(request, "manage/audit.html", {"programme": programme, "page": page})


def _models_by_name() -> dict:
    from django.apps import apps
    from django.utils.translation import override

    with override("en"):
        return {str(model._meta.verbose_name): model for model in apps.get_models()}


def _audit_labels(entry) -> tuple[str, list[tuple[str, object, object]]]:
    """An entry's object type and changed fields in the reader's language ("最低百分比", not
    "min_percent"); coded values as their labels, yes/no for booleans."""
    model = _models_by_name().get(entry.object_type)
    type_label = str(model._meta.verbose_name) if model else entry.object_type
    fields = {}
    if model is not None:
        for field in model._meta.get_fields():
            if hasattr(field, "verbose_name"):
                fields[field.name] = field
                fields[getattr(field, "attname", field.name)] = field

    def word(field, value):
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if not isinstance(value, str | int) or field is None:
            return value  # lists (related ids), numbers as stored, None
        choices = dict(getattr(field, "flatchoices", None) or [])
        return choices.get(value, value)

    changes = []
    for name, old, new in entry.changes:
        field = fields.get(name)
        label = str(field.verbose_name) if field is not None else _(name.replace("_", " "))
        changes.append((label, word(field, old), word(field, new)))
    return type_label, changes
