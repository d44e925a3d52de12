"""Who may do what in Plenary: the one place that says so.

Each rule has its ORM form (a queryset or a predicate) and, where a hot hand-written statement needs
it (``core/sql.py``), its SQL twin right beside it, built from the same tables and conditions;
``tests/access/test_rules.py`` checks that the two forms agree for every kind of user. Views declare
what they need with the decorators of ``access/views.py``; API operations call ``access/api.py``.

The people (ARCHITECTURE.md "People"):

- a platform admin (superuser) may do everything;
- organiser staff (``Membership.Role.ORGANISER`` of a body) manage the programmes their bodies
  co-organise, edit the venues their bodies own, and see the staff of their own bodies;
- check-in staff scan at the doors of the sessions they are assigned to — or, when their body lets them
  (``Membership.all_doors``), at every door of its programmes — and nothing else; organisers may scan
  at the doors of their programmes;
- an agency coordinator nominates staff of their agency and sees the registrations they nominated — the
  collection statement tells self-registrants that their registration goes to the organisers only;
- a participant reaches their own registration through its private link (``registrations.selectors
  .registration_by_token``), without an account.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from plenary.core import sql
from plenary.organisations.models import Membership, Organisation
from plenary.programmes.models import CoOrganiser, Programme, Session, Venue

Role = Membership.Role
ROOM_MODES = (Session.Mode.IN_PERSON, Session.Mode.HYBRID)


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _admin(user) -> bool:
    return _signed_in(user) and user.is_superuser


def roles(user) -> set[str]:
    """The roles this user holds in any body (remembered on the user object for the request)."""
    if not _signed_in(user):
        return set()
    known = getattr(user, "_plenary_roles", None)
    if known is None:
        known = user._plenary_roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    return known


# --- organisers and programmes --------------------------------------------------------------------


def organiser_bodies(user) -> QuerySet[Organisation]:
    """The bodies for which this user is organiser staff."""
    if not _signed_in(user):
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user, memberships__role=Role.ORGANISER).distinct()


def is_organiser(user) -> bool:
    """May open the organiser console at all: an admin, or organiser staff of some body."""
    return _admin(user) or Role.ORGANISER in roles(user)


def managed_programmes(user) -> QuerySet[Programme]:
    """Programmes this user may manage: those co-organised by a body they are organiser staff of."""
    if not _signed_in(user):
        return Programme.objects.none()
    if user.is_superuser:
        return Programme.objects.all()
    return Programme.objects.filter(
        pk__in=CoOrganiser.objects.filter(
            organisation__memberships__user=user, organisation__memberships__role=Role.ORGANISER
        ).values("programme")
    )


def manages(user, programme: Programme) -> bool:
    return managed_programmes(user).filter(pk=programme.pk).exists()


def manages_sql(programme_id_sql: str, user) -> tuple[str, list]:
    """``managed_programmes()`` as an SQL expression for hand-written queries: whether ``user`` is an
    admin or organiser staff of a co-organiser of the programme whose id is ``programme_id_sql``."""
    column = sql.column
    if _admin(user):
        return "(1 = 1)", []
    expression = (
        f"EXISTS (SELECT 1 FROM {sql.table(CoOrganiser)} c JOIN {sql.table(Membership)} m "  # noqa: S608 - names from the models and the caller, values bound
        f"ON m.{column(Membership, 'organisation')} = c.{column(CoOrganiser, 'organisation')} "
        f"WHERE c.{column(CoOrganiser, 'programme')} = {programme_id_sql} "
        f"AND m.{column(Membership, 'user')} = %s AND m.{column(Membership, 'role')} = %s)"
    )
    return expression, [user.pk if _signed_in(user) else None, Role.ORGANISER]


# --- venues ---------------------------------------------------------------------------------------


def owned_venues(user) -> QuerySet[Venue]:
    """Venues this user may edit: those owned by a body they are organiser staff of (all for an admin)."""
    if not _signed_in(user):
        return Venue.objects.none()
    if user.is_superuser:
        return Venue.objects.all()
    return Venue.objects.filter(owner__in=organiser_bodies(user))


def edits_venue(user, venue: Venue) -> bool:
    return owned_venues(user).filter(pk=venue.pk).exists()


def programme_venues(programme: Programme) -> QuerySet[Venue]:
    """Venues a session of this programme may use: those owned by its co-organising bodies."""
    return Venue.objects.filter(owner__in=programme.co_organisers.values("organisation"))


# --- doors ----------------------------------------------------------------------------------------


def scannable_sessions(user) -> QuerySet[Session]:
    """Sessions with a room whose door this user may work: assigned ones, or any of a programme they manage."""
    from plenary.checkin.models import StaffAssignment

    if not _signed_in(user):
        return Session.objects.none()
    sessions = Session.objects.filter(mode__in=ROOM_MODES)
    if user.is_superuser:
        return sessions
    return sessions.filter(
        Q(pk__in=StaffAssignment.objects.filter(user=user).values("session"))
        | Q(programme__in=managed_programmes(user).values("pk"))
        | Q(programme__in=_every_door_programmes(user))
    )


def _every_door_programmes(user) -> QuerySet:
    """Programmes co-organised by a body where ``user`` is check-in staff for every door (not limited
    to the sessions they are assigned to)."""
    return CoOrganiser.objects.filter(
        organisation__memberships__user=user,
        organisation__memberships__role=Role.CHECKIN,
        organisation__memberships__all_doors=True,
    ).values("programme")


def scans(user, session: Session) -> bool:
    return scannable_sessions(user).filter(pk=session.pk).exists()


def scans_sql(session_alias: str, user) -> tuple[str, list]:
    """``scannable_sessions()`` as an SQL expression about the session row ``session_alias``."""
    from plenary.checkin.models import StaffAssignment

    column = sql.column
    if not _signed_in(user):
        return "(1 = 0)", []
    modes = ", ".join(["%s"] * len(ROOM_MODES))
    if user.is_superuser:
        return f"({session_alias}.{column(Session, 'mode')} IN ({modes}))", list(ROOM_MODES)
    programme = f"{session_alias}.{column(Session, 'programme')}"
    organiser, organiser_params = manages_sql(programme, user)
    expression = (
        f"({session_alias}.{column(Session, 'mode')} IN ({modes}) AND ("  # noqa: S608 - names from the models, values bound
        f"EXISTS (SELECT 1 FROM {sql.table(StaffAssignment)} a WHERE a.{column(StaffAssignment, 'user')} = %s "
        f"AND a.{column(StaffAssignment, 'session')} = {session_alias}.id) OR {organiser} OR "
        # Check-in staff for every door of their body's programmes (``_every_door_programmes``).
        f"EXISTS (SELECT 1 FROM {sql.table(CoOrganiser)} cd JOIN {sql.table(Membership)} md "
        f"ON md.{column(Membership, 'organisation')} = cd.{column(CoOrganiser, 'organisation')} "
        f"WHERE cd.{column(CoOrganiser, 'programme')} = {programme} AND md.{column(Membership, 'user')} = %s "
        f"AND md.{column(Membership, 'role')} = %s AND md.{column(Membership, 'all_doors')} = %s)))"
    )
    return expression, [*ROOM_MODES, user.pk, *organiser_params, user.pk, Role.CHECKIN, True]


def checkin_only(user) -> bool:
    """Accounts whose only role is check-in staff: they may use the scanner and nothing else."""
    if not _signed_in(user) or user.is_superuser or user.is_staff:
        return False
    known = getattr(user, "_plenary_checkin_only", None)  # read with the API token
    if known is not None:
        return known
    return roles(user) == {Role.CHECKIN}


# --- agencies and registrations -------------------------------------------------------------------


def coordinated_agencies(user) -> QuerySet[Organisation]:
    """The member agencies this user coordinates."""
    if not _signed_in(user):
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user, memberships__role=Role.COORDINATOR).distinct()


def coordinates(user, agency: Organisation) -> bool:
    return coordinated_agencies(user).filter(pk=agency.pk).exists()


def is_coordinator(user) -> bool:
    return Role.COORDINATOR in roles(user)


def nominations(user, programme: Programme | None = None):
    """The registrations a coordinator may see: those nominated for their agencies (the collection
    statement says nominations go to the nominating agency; self-registrations do not)."""
    from plenary.registrations.models import Registration

    queryset = Registration.objects.filter(
        source=Registration.Source.NOMINATED, organisation__in=coordinated_agencies(user)
    )
    return queryset.filter(programme=programme) if programme is not None else queryset


def visible_registrations(user, programme: Programme):
    """What this user may see of a programme's registrations: all for its organisers, their agencies'
    nominations for a coordinator, none otherwise."""
    if manages(user, programme):
        return programme.registrations.all()
    return nominations(user, programme)


def sees_registration(user, registration) -> bool:
    """Whether this user may see (and so act on) one registration."""
    return visible_registrations(user, registration.programme).filter(pk=registration.pk).exists()


# --- messages -----------------------------------------------------------------------------------


def messages_programme(user, programme: Programme) -> bool:
    """May write to (some of) a programme's registrants: its organisers, and coordinators of an agency
    with nominations in it (to those nominees only: ``message_recipients``)."""
    return manages(user, programme) or (is_coordinator(user) and nominations(user, programme).exists())


def message_recipients(user, programme: Programme):
    """Whom this user may message in a programme: everyone for its organisers, their agencies'
    nominations for a coordinator (never a self-registration that names the agency), nobody otherwise."""
    return visible_registrations(user, programme)


def sees_message(user, message) -> bool:
    """A message's page and counts: the programme's organisers, and whoever sent it."""
    if manages(user, message.programme):
        return True
    return _signed_in(user) and message.created_by_id == user.pk


# --- staff ----------------------------------------------------------------------------------------


def door_staff(user) -> QuerySet:
    """Check-in staff accounts this user may assign: those of their own bodies (all for an admin)."""
    users = get_user_model().objects.filter(is_active=True, memberships__role=Role.CHECKIN)
    if not _admin(user):
        users = users.filter(memberships__organisation__in=organiser_bodies(user))
    return users.distinct().order_by("username")


def staff_bodies(user) -> QuerySet[Organisation]:
    """Bodies whose staff (organisers, check-in staff) this user invites and manages: those they are
    organiser staff of (every non-agency body for an admin)."""
    if _admin(user):
        return Organisation.objects.filter(is_member_agency=False)
    return organiser_bodies(user)


def invitable_agencies(user) -> QuerySet[Organisation]:
    """Member agencies this user may invite coordinators for: those taking part (with a quota or a
    nomination) in a programme the user manages (every member agency for an admin). An organiser
    already works with these agencies; a coordinator sees their agency's nominations wherever made."""
    from plenary.registrations.models import Quota, Registration

    if not _signed_in(user):
        return Organisation.objects.none()
    agencies = Organisation.objects.filter(is_member_agency=True)
    if _admin(user):
        return agencies
    programmes = managed_programmes(user).values("pk")
    return agencies.filter(
        Q(pk__in=Quota.objects.filter(programme__in=programmes).values("organisation"))
        | Q(
            pk__in=Registration.objects.filter(
                programme__in=programmes, source=Registration.Source.NOMINATED
            ).values("organisation")
        )
    )


def staff_memberships(user) -> QuerySet[Membership]:
    """The staff page's people: memberships of the user's own bodies, and coordinators of the agencies
    taking part in their programmes or invited by their bodies. Nobody else's."""
    memberships = Membership.objects.select_related("user", "organisation", "invited_by_body")
    if _admin(user):
        return memberships.all()
    if not is_organiser(user):
        return memberships.none()
    bodies = organiser_bodies(user).values("pk")
    return memberships.filter(
        Q(organisation__in=bodies, role__in=[Role.ORGANISER, Role.CHECKIN])
        | Q(role=Role.COORDINATOR, invited_by_body__in=bodies)
        | Q(role=Role.COORDINATOR, organisation__in=invitable_agencies(user).values("pk"))
    )


def changeable_memberships(user) -> QuerySet[Membership]:
    """Memberships this user may change or remove: organisers and check-in staff of their own bodies,
    and coordinators their bodies invited (an agency's other coordinators are the agency's business)."""
    memberships = Membership.objects.select_related("user", "organisation")
    if _admin(user):
        return memberships.all()
    if not is_organiser(user):
        return memberships.none()
    bodies = organiser_bodies(user).values("pk")
    return memberships.filter(
        Q(organisation__in=bodies, role__in=[Role.ORGANISER, Role.CHECKIN])
        | Q(role=Role.COORDINATOR, invited_by_body__in=bodies)
    )


def staff_invitations(user) -> QuerySet:
    """Invitations this user sees, cancels and sends again: those made for their bodies."""
    from plenary.organisations.models import Invitation

    invitations = Invitation.objects.select_related("organisation", "invited_by")
    if _admin(user):
        return invitations.all()
    if not is_organiser(user):
        return invitations.none()
    return invitations.filter(invited_by_body__in=organiser_bodies(user).values("pk"))


def programme_coordinators(programme: Programme) -> QuerySet:
    """Coordinators of the agencies taking part in a programme (with a quota or a nomination)."""
    from plenary.registrations.models import Quota, Registration

    agencies = Organisation.objects.filter(
        Q(pk__in=Quota.objects.filter(programme=programme).values("organisation"))
        | Q(
            pk__in=Registration.objects.filter(
                programme=programme, source=Registration.Source.NOMINATED
            ).values("organisation")
        )
    )
    return (
        get_user_model()
        .objects.filter(memberships__role=Role.COORDINATOR, memberships__organisation__in=agencies)
        .distinct()
        .order_by("username")
    )


def landing(user) -> str | None:
    """The page a signed-in user starts from (a URL name), or None for the default."""
    if _admin(user) or Role.ORGANISER in roles(user):
        return "programmes:manage-home"
    if Role.COORDINATOR in roles(user):
        return "registrations:agency-home"
    if Role.CHECKIN in roles(user):
        return "checkin:home"
    return None


def menu(user) -> list[str]:
    """The site menu's items a user may open (URL names), so nobody is shown a page that answers
    "Not allowed": check-in-only staff see the door and their password, coordinators their agency's
    pages, organisers the console; the public pages are for everyone but check-in-only accounts."""
    if not _signed_in(user):
        return ["programmes:home", "publicity:news", "accounts:login"]
    items = [] if checkin_only(user) else ["programmes:home", "publicity:news"]
    if is_organiser(user):
        items.append("programmes:manage-home")
    if Role.COORDINATOR in roles(user) and not _admin(user):
        items.append("registrations:agency-home")
    if Role.CHECKIN in roles(user) or (scannable_sessions(user).exists() and not is_organiser(user)):
        items.append("checkin:home")
    items.append("accounts:password-change")
    return items


def programme_menu(user, programme: Programme) -> list[str]:
    """The pages of one programme a coordinator may open (URL names taking the programme's slug), for
    the agency's layout: the agency's page of a public programme, the agency's record and messages
    where the agency has nominations in it. Organisers use the console's own menu; admins and
    others get nothing here (the agency pages refuse them)."""
    if not is_coordinator(user) or _admin(user):
        return []
    items = []
    if programme.status == Programme.Status.PUBLISHED:  # the agency pages show published programmes
        items.append("registrations:agency-programme")
    if nominations(user, programme).exists():
        items += ["reports:agency-record-programme", "messaging:list", "messaging:compose"]
    return items


def attendees(session: Session) -> QuerySet:
    """The ids of the registrations that attended this session (their derived attendance says present)."""
    from plenary.attendance.models import Attendance

    return Attendance.objects.filter(session=session, present=True).values("registration_id")


def attended(registration, session: Session) -> bool:
    return attendees(session).filter(registration_id=registration.pk).exists()


def evaluates(registration, session: Session) -> bool:
    """Who may answer a session's evaluation (beyond its being open): by default only those who attended
    it; a survey set to ``attendees_only = False`` takes anyone registered."""
    survey = getattr(session, "survey", None)
    if survey is not None and not survey.attendees_only:
        return True
    return attended(registration, session)
