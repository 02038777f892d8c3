"""The order set-up wizard's routes (see portal.wizard.blueprint for the list)."""

from portal.wizard import service_views, step_views  # noqa: F401 - they register their routes
from portal.wizard.blueprint import bp  # noqa: F401
