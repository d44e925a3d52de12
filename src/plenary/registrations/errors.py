"""Why a registration use case could not go ahead, in the person's language (``core/errors.py``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from plenary.core.errors import DomainError


class RegistrationError(DomainError):
    """A registration use case refused."""


class AlreadyRegistered(RegistrationError):
    default_message = _("This email address is already registered for this programme.")

    def __init__(self, registration):
        super().__init__()
        self.registration = registration


class RegistrationClosed(RegistrationError):
    default_message = _("Registration for this programme is closed.")


class OverQuota(RegistrationError):
    default_message = _("Your agency's quota for this programme is used up.")


class SeatsUnavailable(RegistrationError):
    default_message = _("There are no places left in that mode.")


class WrongStatus(RegistrationError):
    default_message = _("This registration cannot be changed in its current status.")


class TryAgain(RegistrationError):
    status = 503
    default_message = _("Please try again in a moment.")


class RoomFull(SeatsUnavailable):
    """The door desk asked for a seat in a full room."""

    def __init__(self, session, capacity: int | None):
        super().__init__(
            _(
                "The room of “%(session)s” is full: all %(capacity)s seats are taken. An organiser can "
                "raise the venue's capacity in the console (Venues), which also moves the waiting list up."
            )
            % {"session": session.title, "capacity": capacity or 0}
        )
        self.capacity = capacity


class CapacityBelowSeats(RegistrationError):
    """A capacity was lowered below the seats already confirmed: nobody loses a seat that way."""

    def __init__(self, session, taken: int):
        super().__init__(
            _(
                "%(taken)s people already hold confirmed seats in “%(session)s”: the capacity cannot be "
                "lower than that. Cancel or move registrations first."
            )
            % {"taken": taken, "session": session.title}
        )
        self.taken = taken
