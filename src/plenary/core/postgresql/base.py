"""Django's PostgreSQL backend, whose once-per-request health check of a kept connection skips its round
trip when the connection plainly has nothing to say.

Django's check (``CONN_HEALTH_CHECKS``) sends ``SELECT 1`` before the first query of every request that
reuses a connection: one more round trip on every request (a door scan made three instead of two). A
connection the server has ended — a restart, ``pg_terminate_backend``, a proxy or network cut that resets
it — has its goodbye or its end of file waiting on the socket, so the socket is readable; a healthy idle
connection has nothing waiting. Only a readable (or already broken) connection gets Django's full check,
which closes it if it fails, so the query that follows opens a new one. A path that dies silently (no
reset, no goodbye) is caught by neither check in time: TCP keepalives and the statement's own error are
what notice it, with or without this.
"""

from __future__ import annotations

import select

import psycopg
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self) -> None:
        if self.connection is None or not self.health_check_enabled or self.health_check_done:
            return
        raw = self.connection
        try:
            quiet = (
                not raw.closed
                and raw.pgconn.status == psycopg.pq.ConnStatus.OK
                and not select.select([raw.fileno()], [], [], 0)[0]
            )
        except (OSError, ValueError, psycopg.Error):
            quiet = False
        if quiet:
            self.health_check_done = True
        else:
            super().close_if_health_check_failed()
