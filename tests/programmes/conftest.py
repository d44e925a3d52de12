from tests.registrations.conftest import people, small_programme  # noqa: F401 - shared fixtures
