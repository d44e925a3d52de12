"""The web server's worker: gunicorn's threaded worker, taking its share of new connections only.

gunicorn's workers all wait on one listening socket, and Linux wakes the one that waited last first: the
busiest worker, which comes back to wait most often, wins most accepts (the imbalance Cloudflare
describes in "Why does one NGINX worker take all the load?"). Measured here: 32 scanner phones
connecting at once left 22–27 connections on one of three workers and 1–6 on the others. Workers share
the CPU about equally, so the crowded worker's clients waited three to five times longer than the rest,
and that was the benchmark's p99.

Each worker therefore posts its number of open connections on a small board in shared memory (made in
the master before it forks the workers) and stops accepting while it holds more than one connection more
than the least busy worker. The least busy worker always accepts, so no connection is left waiting; a
worker joins the board only once it is ready, and one that is full or stopping posts that it is not
accepting, so neither holds the others back.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import mmap
import multiprocessing
import os
import threading

from gunicorn.workers.gthread import ThreadWorker as GunicornThreadWorker

from plenary.core.logs import MaskTokensFilter

# gunicorn's own log lines (the access log, errors) name request paths, which under /me/ and /j/ carry a
# private token: masked on the loggers themselves, whatever handlers gunicorn gives them.
for _name in ("gunicorn.access", "gunicorn.error"):
    logging.getLogger(_name).addFilter(MaskTokensFilter())

SLOTS = 64  # workers beyond this many get no slot and accept freely
UNAVAILABLE = 2**62  # posted by a worker that is not accepting at all
_board = memoryview(mmap.mmap(-1, SLOTS * 2 * 8)).cast("q")  # per slot: pid, open connections
_claiming = multiprocessing.Lock()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def claim_slot(pid: int) -> int | None:
    """A slot on the board for a new worker: a free one, or one whose worker has died."""
    with _claiming:
        for slot in range(SLOTS):
            holder = _board[2 * slot]
            if holder == 0 or holder == pid or not _alive(holder):
                _board[2 * slot + 1] = 0
                _board[2 * slot] = pid
                return slot
    return None


def fewest_elsewhere(slot: int) -> int | None:
    """The fewest open connections held by another live worker (None if there is none)."""
    fewest = None
    for other in range(SLOTS):
        pid = _board[2 * other]
        if other == slot or pid == 0:
            continue
        count = _board[2 * other + 1]
        if (fewest is None or count < fewest) and _alive(pid):
            fewest = count
    return fewest


class ThreadWorker(GunicornThreadWorker):
    slot: int | None = None
    wanted = False  # whether gunicorn's own rule (worker_connections) lets this worker accept

    def load_wsgi(self):
        """Loads the application, starts the request threads, each with its database connection open
        (site/warmup.py), sets aside what start-up loaded from the garbage collector, and only then
        joins the board: a worker still starting must not hold the others back from accepting."""
        super().load_wsgi()
        from plenary.site import warmup

        everyone = threading.Barrier(self.cfg.threads)

        def warm():
            with contextlib.suppress(threading.BrokenBarrierError):
                everyone.wait(timeout=10)  # holds each thread until all have started: one task each
            warmup.thread()

        for started in [self.tpool.submit(warm) for _ in range(self.cfg.threads)]:
            started.result()
        # What is loaded by now lives as long as the process. Python's full garbage collections scanned
        # all of it — 130 000 objects, 50 ms with every request thread of the worker stopped, the
        # stalls behind a fresh server's worst latencies; frozen, they skip it.
        gc.collect()
        gc.freeze()
        self.slot = claim_slot(os.getpid())

    def set_accept_enabled(self, enabled):
        self.wanted = enabled
        self.balance()

    def wait_for_and_dispatch_events(self, timeout):
        # Each turn of the worker's loop passes here before it waits.
        self.balance()
        super().wait_for_and_dispatch_events(timeout)

    def balance(self):
        """Posts this worker's connections and listens for new ones only while it is not the busiest."""
        enabled = self.wanted and self.alive
        if self.slot is not None:
            # A worker that may not accept (full, or stopping) must not hold the others back either.
            _board[2 * self.slot + 1] = self.nr_conns if enabled else UNAVAILABLE
            if enabled:
                fewest = fewest_elsewhere(self.slot)
                enabled = fewest is None or self.nr_conns <= fewest + 1
        if enabled != self._accepting:
            super().set_accept_enabled(enabled)
