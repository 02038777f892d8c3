"""What `flask portal tick` does: every rule that is due at the clock's time, then the outbox;
and the loop that `flask portal worker` (and the demo) run it in, every few seconds.

Each step claims its rows before acting, so two runs at once never do anything twice, and
several workers may run side by side.
"""

import time

from portal.infra.db import db
from portal.mail.delivery import deliver_due
from portal.orders import rules as order_rules
from portal.trials import schedule as trial_schedule

WORKER_INTERVAL = 5  # seconds: an email queued by a request goes out within about this long


def run_tick() -> dict:
    return {
        "setup_emails": order_rules.send_due_setup_emails(),  # rule O2
        "rep_alerts": order_rules.alert_account_reps(),  # rule O3
        "closed_lines": order_rules.close_unprovisioned_lines(),  # rule O5
        **trial_schedule.run(),  # rules T9, T16-T18
        **deliver_due(limit=500),
    }


class Stop:
    """Set by a signal handler or another thread; waiting on it wakes up soon after it is set.

    Only a flag is set, never a lock taken, so a signal arriving at any moment is safe.
    """

    def __init__(self):
        self.requested = False

    def set(self, *_signal) -> None:
        self.requested = True

    def is_set(self) -> bool:
        return self.requested

    def wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.requested and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 0.1))


def run_every(app, interval: float, stop: Stop, *, once: bool = False, run=run_tick, report=None) -> int:
    """Call ``run`` in a fresh application context every ``interval`` seconds until ``stop``.

    A run that raises is logged and the next one tries again; ``report`` receives each run's
    counts. Returns the number of runs.
    """
    runs = 0
    while not stop.is_set():
        with app.app_context():
            try:
                counts = run()
            except Exception:  # noqa: BLE001 - the loop outlives one bad run; the next one retries
                app.logger.exception("Scheduler run failed")
                db.rollback()
                counts = None
        runs += 1
        if report is not None and counts is not None:
            report(counts)
        if once:
            break
        stop.wait(interval)
    return runs
