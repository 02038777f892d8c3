"""The one place the portal reads the time from (style rule 17).

Everything is stored as naive UTC. Tests and the demo set ``app.config["CLOCK"]`` to move time.
"""

from datetime import UTC, date, datetime

from flask import current_app, has_app_context


def now() -> datetime:
    clock = current_app.config.get("CLOCK") if has_app_context() else None
    if clock is not None:
        return clock()
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    return now().date()


class FixedClock:
    """A settable clock for tests and for `flask portal tick --at`."""

    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta) -> None:
        from datetime import timedelta

        self.at = self.at + timedelta(**delta)
