"""The way into the portal from a trial's emails: absolute links (BASE_URL) in the recipient's
language to the page where the email's action is done, behind sign-in; signing in from such a
link lands on that page.

A customer's admins answer a trial request, purchase and cancel on their organization's page
(rules T8, T13, T15, T16); the partner's admins extend and convert on the customer's page (T11,
T13).
"""

from portal.infra.urls import external_url


def organization_page(language: str) -> str:
    """The customer admin's organization page: its trials with "I'm interested in purchasing"
    (T13, T16) and a pending request to accept or decline (T8)."""
    return external_url("organization.overview", lang=language)


def customer_page(trial, language: str) -> str:
    """The partner's page of the trial's customer, at the trial."""
    url = external_url("trials.customer", lang=language, customer_id=trial.customer_id)
    return f"{url}#trial-{trial.id}"
