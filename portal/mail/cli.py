"""`flask portal outbox`: the outbox for an operator (English, as operator tools are)."""

import click
from flask.cli import with_appcontext

from portal.models import OutgoingEmail


def _printable(text: str) -> str:
    """Control characters shown escaped: a stored line break cannot fake lines of the report."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def _line(email: OutgoingEmail) -> str:
    when = f"next attempt {email.next_attempt_at:%Y-%m-%d %H:%M}" if email.status == "queued" else email.status
    return (
        f"  #{email.id}  {email.kind}  {_printable(email.to_address)}  attempts {email.attempts}  {when}  "
        f"{_printable(email.last_error or '-')}"
    )


def _report() -> None:
    from portal.mail import operations

    click.echo(", ".join(f"{status}: {count}" for status, count in operations.counts().items()))
    failed = operations.failed()
    if failed:
        click.echo(f"Failed ({len(failed)}); `--retry ID` queues one again, `--discard ID` gives it up:")
        for email in failed:
            click.echo(_line(email))
    waiting = operations.waiting_too_long()
    if waiting:
        click.echo(f"Waiting too long ({len(waiting)}):")
        for email in waiting:
            click.echo(_line(email))


def _echo_change(change, done: str, undone: str) -> None:
    if change.changed:
        click.echo(f"Email #{change.email_id} {done}.")
    else:
        click.echo(f"Email #{change.email_id} is {change.status}: {undone}.")


@click.command("outbox")
@click.option(
    "--retry",
    "retry_ids",
    type=click.IntRange(1, 2**63 - 1),
    multiple=True,
    metavar="ID",
    help="Queue a failed email again.",
)
@click.option("--retry-all-failed", is_flag=True, help="Queue every failed email again.")
@click.option(
    "--discard",
    "discard_ids",
    type=click.IntRange(1, 2**63 - 1),
    multiple=True,
    metavar="ID",
    help="Never send this email.",
)
@with_appcontext
def outbox_command(retry_ids, retry_all_failed, discard_ids):
    """Counts by status, failed emails and those waiting too long; retry or discard emails.

    A retried email starts its attempts again and is due at once. Each change is one
    transaction and safe to repeat.
    """
    from portal.mail import operations

    try:
        for email_id in retry_ids:
            _echo_change(operations.retry(email_id), "is queued again", "only a failed email is retried")
        if retry_all_failed:
            click.echo(f"{operations.retry_all_failed()} failed emails queued again.")
        for email_id in discard_ids:
            _echo_change(
                operations.discard(email_id),
                "is discarded; it will not be sent",
                "only a queued or failed email is discarded",
            )
    except operations.OutboxError as error:
        raise click.ClickException(str(error)) from None
    _report()
