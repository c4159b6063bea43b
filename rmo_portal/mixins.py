"""View mixins shared by every app."""

from django.http import Http404
from rules.contrib.views import PermissionRequiredMixin

from .permissions import allowed


class PermissionMixin(PermissionRequiredMixin):
    """Ask one named permission (STYLE.md §6): anonymous → the log-in page, signed in without it → 403.

    Objects out of a user's scope are not found by the view's queryset at all (404). Anonymous users
    are sent to log in before any object is looked up, so that they never see a 404 for a page that
    exists.
    """

    def has_permission(self):
        obj = self.get_permission_object()
        return all(allowed(self.request.user, perm, obj) for perm in self.get_permission_required())

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)


class PublicPermissionMixin(PermissionMixin):
    """For pages whose object may be public (a published protocol, document, schedule): the object is looked up
    first, so an anonymous reader sees a public one; what is not public sends her to log in, as every other page
    does (never a 404 that would tell a stranger less than a member sees)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            try:
                self.get_permission_object()
            except Http404:
                return self.handle_no_permission()
        return super(PermissionMixin, self).dispatch(request, *args, **kwargs)
