"""The wizard's answers, kept only in the user's session until the confirmation (rule O6).

Nothing is written to the database before W7; leaving stores nothing, and the "Set up now"
link starts again from the beginning. A reload or Back in the same browser session keeps
what was typed.
"""

from flask import session as browser_session

ANSWERS = "wizard"
DONE = "wizard_done"

# The steps before mapping, in order (W1-W7); the service set-up (W9) counts as one more.
PARTNER_STEPS = ("role", "who", "partner", "admin", "company", "organization", "confirm")
CUSTOMER_STEPS = ("role", "admin", "company", "organization", "confirm")


def answers(order_id: int) -> dict:
    return dict(browser_session.get(ANSWERS, {}).get(str(order_id), {}))


def save(order_id: int, **values) -> dict:
    store = dict(browser_session.get(ANSWERS, {}))
    current = dict(store.get(str(order_id), {}))
    current.update(values)
    store[str(order_id)] = current
    browser_session[ANSWERS] = store
    return current


def forget(order_id: int, *keys: str) -> None:
    """Drop some answers (those that depend on a changed one), or all of them."""
    store = dict(browser_session.get(ANSWERS, {}))
    if keys:
        current = dict(store.get(str(order_id), {}))
        for key in keys:
            current.pop(key, None)
        store[str(order_id)] = current
    else:
        store.pop(str(order_id), None)
    browser_session[ANSWERS] = store


def steps(state: dict) -> tuple[str, ...]:
    return CUSTOMER_STEPS if state.get("role") == "customer" else PARTNER_STEPS


def progress(state: dict, step: str) -> tuple[int, int]:
    """("Step n of m"): the service set-up after mapping counts as the last step."""
    names = steps(state)
    return names.index(step) + 1, len(names) + 1


def first_unanswered(state: dict) -> str:
    """The step to show when a later one is asked for before its answers exist."""
    required = {
        "role": ("role",),
        "who": ("who",),
        "partner": ("partner_confirmed",),
        "admin": ("admin_email",),
        "company": ("company", "country"),
        "organization": ("organization",),
    }
    for step in steps(state):
        if step == "confirm":
            return step
        if not all(state.get(key) not in (None, "") for key in required[step]):
            return step
    return "confirm"


def previous(state: dict, step: str) -> str | None:
    names = steps(state)
    index = names.index(step)
    return names[index - 1] if index > 0 else None


def mark_done(order_id: int, **values) -> None:
    store = dict(browser_session.get(DONE, {}))
    store[str(order_id)] = values
    browser_session[DONE] = store


def done(order_id: int) -> dict:
    return dict(browser_session.get(DONE, {}).get(str(order_id), {}))


def confirmed_here(order_id: int) -> bool:
    """Whether this browser confirmed the order (W7): only it is shown the mapped organization."""
    return str(order_id) in browser_session.get(DONE, {})
