"""The organiser console for registrations: list with search, filters and keyset paging, manual
add/edit/cancel/approve/reject (audited), quotas, and XLSX/CSV exports."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from plenary.access.views import manages_programme
from plenary.core.i18n import is_chinese
from plenary.core.ids import parse_id
from plenary.core.spreadsheets import safe_cell
from plenary.organisations.models import Membership, Organisation
from plenary.programmes.models import Programme
from plenary.registrations import selectors, services, spreadsheets
from plenary.registrations.forms import (
    ConsoleAddForm,
    ConsoleFilterForm,
    CoordinatorForm,
    QuotaForm,
    RegistrationEditForm,
)
from plenary.registrations.models import Quota, Registration, SeatAllocation

PAGE_SIZE = 50
COUNT_CAP = 10_000


def filtered(programme: Programme, form: ConsoleFilterForm) -> QuerySet[Registration]:
    queryset = programme.registrations.all()
    if not form.is_valid():
        return queryset
    data = form.cleaned_data
    if data.get("status"):
        queryset = queryset.filter(status=data["status"])
    if data.get("agency"):
        queryset = queryset.filter(organisation=data["agency"])
    if data.get("session") or data.get("mode"):
        seats = SeatAllocation.objects.filter(registration=OuterRef("pk")).exclude(status="cancelled")
        if data.get("session"):
            seats = seats.filter(session=data["session"])
        if data.get("mode"):
            seats = seats.filter(mode=data["mode"])
        queryset = queryset.filter(Exists(seats))
    query = (data.get("q") or "").strip()
    if query:
        queryset = queryset.filter(
            Q(reference=query.upper())
            | Q(email__icontains=query)
            | Q(name_en__icontains=query)
            | Q(name_zh__icontains=query)
            | Q(organisation_name__icontains=query)
        )
    return queryset


@manages_programme
def registration_list(request, programme):
    form = ConsoleFilterForm(request.GET or None, programme=programme)
    queryset = filtered(programme, form)
    before = request.GET.get("before", "")
    after = request.GET.get("after", "")
    # Keyset paging on the primary key: every page costs the same, however deep.
    if after.isdigit():
        rows = list(queryset.filter(pk__gt=int(after)).order_by("pk")[: PAGE_SIZE + 1])
        has_newer = len(rows) > PAGE_SIZE
        rows = list(reversed(rows[:PAGE_SIZE]))
        has_older = True
    else:
        queryset_page = queryset.filter(pk__lt=int(before)) if before.isdigit() else queryset
        rows = list(queryset_page.order_by("-pk")[: PAGE_SIZE + 1])
        has_older = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        has_newer = before.isdigit()
    rows_by_id = {row.pk: row for row in rows}
    for row in rows:
        row.seat_list = []
    for seat in (
        SeatAllocation.objects.filter(
            registration_id__in=rows_by_id, session__mode__in=["hybrid", "in_person"]
        )
        .select_related("session")
        .order_by("session__starts_at")
    ):
        rows_by_id[seat.registration_id].seat_list.append(seat)
    organisations = {row.organisation_id for row in rows if row.organisation_id}
    names = {
        organisation.pk: organisation.name
        for organisation in Organisation.objects.filter(pk__in=organisations)
    }
    for row in rows:
        row.organisation_label = names.get(row.organisation_id) or row.organisation_name
    total = queryset.order_by()[: COUNT_CAP + 1].count()
    query = request.GET.copy()
    for key in ("before", "after"):
        query.pop(key, None)
    return render(
        request,
        "registrations/manage/list.html",
        {
            "programme": programme,
            "form": form,
            "rows": rows,
            "total": min(total, COUNT_CAP),
            "more_than_cap": total > COUNT_CAP,
            "older": rows[-1].pk if has_older and rows else None,
            "newer": rows[0].pk if has_newer and rows else None,
            "query": query.urlencode(),
            "seats": selectors.seat_summary(programme),
        },
    )


@manages_programme
def registration_add(request, programme):
    sessions = list(programme.sessions.select_related("venue"))
    agencies = Organisation.objects.filter(is_member_agency=True).order_by("name_en")
    form = ConsoleAddForm(request.POST or None, sessions=sessions, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        applicant = form.applicant(language="en")
        try:
            registration = services.register(
                programme, applicant, source=Registration.Source.ORGANISER, actor=request.user
            )
        except services.ValidationError as error:
            for name, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(name if name in form.fields else None, message)
        except services.RegistrationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("Registration %(reference)s added.") % {"reference": registration.reference}
            )
            return redirect(
                "registrations:manage-detail", slug=programme.slug, reference=registration.reference
            )
    return render(request, "registrations/manage/add.html", {"programme": programme, "form": form})


@manages_programme
def registration_detail(request, programme, reference):
    registration = get_object_or_404(programme.registrations, reference=reference)
    form = RegistrationEditForm(request.POST or None, instance=registration)
    if request.method == "POST" and form.is_valid():
        services.update_details(registration, form.cleaned_data, actor=request.user)
        messages.success(request, _("Saved."))
        return redirect("registrations:manage-detail", slug=programme.slug, reference=reference)
    return render(
        request,
        "registrations/manage/detail.html",
        {
            "programme": programme,
            "registration": registration,
            "form": form,
            "seats": selectors.seats_of(registration),
            "consents": registration.consents.all(),
        },
    )


@manages_programme
@require_POST
def registration_action(request, programme, reference, action):
    registration = get_object_or_404(programme.registrations, reference=reference)
    try:
        if action == "cancel":
            services.cancel(registration, actor=request.user)
        elif action == "again":
            services.register_again(
                registration, actor=request.user, reason=gettext_noop("cancellation undone")
            )
        elif action == "approve":
            services.approve(registration, actor=request.user)
        elif action == "reject":
            services.reject(registration, actor=request.user)
        elif action == "mode":
            session = get_object_or_404(programme.sessions, pk=parse_id(request.POST.get("session")))
            services.change_mode(registration, session, request.POST.get("mode", ""), actor=request.user)
        else:
            return redirect("registrations:manage-detail", slug=programme.slug, reference=reference)
    except services.RegistrationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Done."))
    return redirect("registrations:manage-detail", slug=programme.slug, reference=reference)


@manages_programme
def quotas(request, programme):
    posted = request.POST if request.method == "POST" else None
    adding_coordinator = posted is not None and "coordinator-username" in posted
    form = QuotaForm(None if adding_coordinator else posted)
    form.fields["organisation"].queryset = form.fields["organisation"].queryset.filter(is_member_agency=True)
    coordinator_form = CoordinatorForm(posted if adding_coordinator else None, prefix="coordinator")
    if adding_coordinator and coordinator_form.is_valid():
        data = coordinator_form.cleaned_data
        try:
            user, password = services.add_coordinator(
                programme,
                data["organisation"],
                username=data["username"],
                email=data["email"],
                name=data["name"],
                actor=request.user,
            )
        except services.ValidationError as error:
            for name, errors in error.message_dict.items():
                for message in errors:
                    coordinator_form.add_error(name if name in coordinator_form.fields else None, message)
        else:
            messages.success(
                request,
                _(
                    "Coordinator account %(username)s created. Give them this one-time password "
                    "privately: %(password)s"
                )
                % {"username": user.username, "password": password},
            )
            return redirect("registrations:manage-quotas", slug=programme.slug)
    elif request.method == "POST" and form.is_valid():
        services.set_quota(
            programme, form.cleaned_data["organisation"], form.cleaned_data["places"], actor=request.user
        )
        messages.success(request, _("Quota saved."))
        return redirect("registrations:manage-quotas", slug=programme.slug)
    return render(
        request,
        "registrations/manage/quotas.html",
        {
            "programme": programme,
            "form": form,
            "coordinator_form": coordinator_form,
            "quotas": Quota.objects.filter(programme=programme).select_related("organisation"),
            "coordinators": Membership.objects.filter(role=Membership.Role.COORDINATOR)
            .select_related("user", "organisation")
            .order_by("organisation__name_en", "user__username"),
        },
    )


EXPORT_HEADERS = [
    "reference",
    "name_en",
    "name_zh",
    "email",
    "phone",
    "organisation",
    "post",
    "service_unit",
    "rsw_number",
    "status",
    "source",
    "news_opt_in",
    "photo_opt_out",
    "created_at",
]


def export_rows(programme: Programme, queryset: QuerySet[Registration]):
    """Yields header row then one list per registration (mode and seat per room session)."""
    room_sessions = list(programme.sessions.filter(mode__in=["hybrid", "in_person"]))
    annotations = {}
    for session in room_sessions:
        seat = SeatAllocation.objects.filter(registration=OuterRef("pk"), session=session)
        annotations[f"mode_{session.pk}"] = Subquery(seat.values("mode")[:1])
        annotations[f"seat_{session.pk}"] = Subquery(seat.values("status")[:1])
    # In Chinese, the export speaks Chinese: column names and every coded value as the console shows them
    # (the English export keeps the codes, for other systems that read it).
    labelled = is_chinese(get_language() or "")
    if labelled:
        fields_of = {
            field.name: field for field in Registration._meta.get_fields() if hasattr(field, "verbose_name")
        }
        headers = [
            str(_("organisation")) if name == "organisation" else
            str(_("registered at")) if name == "created_at" else
            str(fields_of[name].verbose_name)
            for name in EXPORT_HEADERS
        ]  # fmt: skip
        for session in room_sessions:
            headers += [
                _("%(session)s: mode") % {"session": session.title},
                _("%(session)s: seat") % {"session": session.title},
            ]
    else:
        headers = [*EXPORT_HEADERS]
        for session in room_sessions:
            headers += [f"{session.title_en} mode", f"{session.title_en} seat"]
    yield headers
    statuses, sources = dict(Registration.Status.choices), dict(Registration.Source.choices)
    modes, seats = dict(Registration.Mode.choices), dict(SeatAllocation.Status.choices)
    yes, no = str(_("Yes")), str(_("No"))
    fields = [
        "reference",
        "name_en",
        "name_zh",
        "email",
        "phone",
        "organisation__name_en",
        "organisation_name",
    ]
    fields += ["post", "service_unit", "rsw_number", "status", "source", "news_opt_in", "photo_opt_out"]
    fields += ["created_at", *annotations]
    zone = programme.tzinfo
    for values in (
        queryset.annotate(**annotations).order_by("pk").values_list(*fields).iterator(chunk_size=2000)
    ):
        values = list(values)
        organisation = values.pop(5) or values[5]
        values[5] = organisation
        values[13] = timezone.localtime(values[13], zone).strftime("%Y-%m-%d %H:%M")
        if labelled:
            values[9] = str(statuses.get(values[9], values[9]))
            values[10] = str(sources.get(values[10], values[10]))
            values[11] = yes if values[11] else no
            values[12] = yes if values[12] else no
            for index in range(14, len(values), 2):
                values[index] = str(modes.get(values[index], values[index] or ""))
                values[index + 1] = str(seats.get(values[index + 1], values[index + 1] or ""))
        yield values


class _Echo:
    def write(self, value):
        return value


@manages_programme
def export(request, programme, kind):
    form = ConsoleFilterForm(request.GET or None, programme=programme)
    rows = export_rows(programme, filtered(programme, form))
    stamp = timezone.localtime(timezone.now(), programme.tzinfo).strftime("%Y%m%d-%H%M")
    filename = f"registrations-{programme.slug}-{stamp}.{kind}"
    if kind == "xlsx":
        headers = next(rows)
        response = HttpResponse(
            spreadsheets.xlsx_bytes(headers, rows, title="registrations"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif kind == "csv":
        import csv

        writer = csv.writer(_Echo())

        def lines():
            yield "\ufeff"
            for row in rows:
                yield writer.writerow([safe_cell("" if v is None else str(v)) for v in row])

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    else:
        return redirect("registrations:manage-list", slug=programme.slug)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
