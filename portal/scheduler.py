"""What `flask portal tick` does: every rule that is due at the clock's time, then the outbox.

Each step claims its rows before acting, so two runs at once never do anything twice.
"""

from portal.mail.delivery import deliver_due
from portal.orders import rules as order_rules
from portal.trials import schedule as trial_schedule


def run_tick() -> dict:
    return {
        "setup_emails": order_rules.send_due_setup_emails(),  # rule O2
        "rep_alerts": order_rules.alert_account_reps(),  # rule O3
        "closed_lines": order_rules.close_unprovisioned_lines(),  # rule O5
        **trial_schedule.run(),  # rules T9, T16-T18
        **deliver_due(limit=500),
    }
