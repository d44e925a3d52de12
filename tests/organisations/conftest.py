from tests.checkin.conftest import person, sharing  # noqa: F401 - shared fixtures
from tests.registrations.conftest import fresh_rate_limits, smtp_inbox  # noqa: F401 - shared fixtures
