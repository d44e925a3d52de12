from tests.registrations.conftest import fresh_rate_limits, people, small_programme  # noqa: F401
