"""``plenary import-attendance``: the spelling of CONTRACT.md for ``import_attendance``."""

from plenary.attendance.management.commands.import_attendance import Command  # noqa: F401
