"""View mixins shared by every app."""

from rules.contrib.views import PermissionRequiredMixin


class PermissionMixin(PermissionRequiredMixin):
    """Ask one named permission (STYLE.md §6): anonymous → the log-in page, signed in without it → 403.

    Objects out of a user's scope are not found by the view's queryset at all (404).
    """
