"""Doing things at the same moment, as two cron jobs, two machines or twenty clicks would."""

import threading


def at_once(calls) -> list:
    """Run every call in its own thread, released together; their results, in finishing order."""
    barrier, results = threading.Barrier(len(calls)), []

    def run(call):
        barrier.wait()
        results.append(call())

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def ticks_at_once(app, runs: int = 3) -> list[Exception]:
    """Run `flask portal tick`'s work in ``runs`` threads released together; the errors raised."""
    from portal.scheduler import run_tick

    def tick():
        with app.app_context():
            try:
                run_tick()
            except Exception as error:  # noqa: BLE001 - returned to the test
                return error
        return None

    return [error for error in at_once([tick] * runs) if error is not None]
