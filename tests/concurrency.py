"""Running the scheduler several times at once, as two cron jobs or two machines would."""

import threading


def ticks_at_once(app, runs: int = 3) -> list[Exception]:
    """Run `flask portal tick`'s work in ``runs`` threads released together; the errors raised."""
    from portal.scheduler import run_tick

    barrier, errors = threading.Barrier(runs), []

    def tick():
        with app.app_context():
            barrier.wait()
            try:
                run_tick()
            except Exception as error:  # noqa: BLE001 - returned to the test
                errors.append(error)

    threads = [threading.Thread(target=tick) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
