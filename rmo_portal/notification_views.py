"""The pages of the notifications kernel (rmo_portal.notifications): my notifications, my mail preferences, and the
administrator's failed letters. Every page needs a log-in; a notification is found only by its owner (404)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import FormView, ListView

from .forms import NotificationSettingsForm
from .mixins import PermissionMixin
from .models import Notification
from .notifications import (
    NotificationError,
    notification_resend,
    notifications_read,
    preferences_save,
)
from .permissions import allowed


class NotificationListView(LoginRequiredMixin, ListView):
    """«Уведомления»: mine, newest first, the unread ones highlighted."""

    template_name = "notifications/notification_list.html"
    context_object_name = "notifications"
    paginate_by = 30

    def get_queryset(self):
        return Notification.objects.filter(recipient=self.request.user).order_by("-created_at", "-pk")

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="Уведомления", **kwargs)


class OwnNotificationMixin(LoginRequiredMixin):
    """The user's own notification, looked up before the method is checked: anybody else's is 404 (even for GET of
    a POST-only action), as the URL permission table expects."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.notification = get_object_or_404(Notification, pk=kwargs["pk"], recipient=request.user)
        return super().dispatch(request, *args, **kwargs)


class NotificationOpenView(OwnNotificationMixin, View):
    """A notification's link: marks it read, then goes to the page that acts on it."""

    def get(self, request, pk):
        notifications_read(user=request.user, notification=self.notification)
        link = self.notification.link
        # Checked again where it is followed: a path of this portal, never another site (not «//x», not «/\\x»).
        if not link or not url_has_allowed_host_and_scheme(link, allowed_hosts=None) or "\\" in link:
            link = reverse("notifications")
        return redirect(link)


class NotificationReadView(OwnNotificationMixin, View):
    """«Прочитано» on one notification (POST)."""

    def post(self, request, pk):
        notifications_read(user=request.user, notification=self.notification)
        return redirect(_back(request))


class NotificationsReadAllView(LoginRequiredMixin, View):
    """«Отметить все прочитанными» (POST)."""

    def post(self, request):
        if notifications_read(user=request.user):
            messages.success(request, "Все уведомления отмечены прочитанными.")
        return redirect(reverse("notifications"))


def _back(request) -> str:
    """Back to the page of the list the form was sent from (only a page of the list itself)."""
    page = request.POST.get("page", "")
    return reverse("notifications") + (f"?page={page}" if page.isdigit() else "")


class NotificationSettingsView(LoginRequiredMixin, FormView):
    """«Настройки уведомлений»: mail or not, each at once or once a day."""

    template_name = "notifications/settings.html"
    form_class = NotificationSettingsForm

    def get_initial(self):
        user = self.request.user
        return {"email_notifications": user.email_notifications, "email_digest": user.email_digest}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title="Настройки уведомлений",
            escalations_as_digest=allowed(self.request.user, "portal.escalations_as_digest"),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            preferences_save(user=self.request.user, **form.cleaned_data)
        except NotificationError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, "Настройки уведомлений сохранены.")
        return redirect(reverse("notification_settings"))


class FailedMailListView(PermissionMixin, ListView):
    """«Неотправленные письма»: letters that failed and have not gone since, for the administrator."""

    permission_required = "portal.resend_mail"
    template_name = "notifications/failed_list.html"
    context_object_name = "notifications"
    paginate_by = 50

    def get_queryset(self):
        return Notification.objects.mail_failed().select_related("recipient").order_by("-mail_failed_at", "-pk")

    def get_context_data(self, **kwargs):
        return super().get_context_data(title="Неотправленные письма", **kwargs)


class FailedMailResendView(PermissionMixin, View):
    """«Отправить ещё раз» (POST): the letter is queued again, alone."""

    permission_required = "portal.resend_mail"

    def post(self, request, pk):
        notification = get_object_or_404(Notification.objects.mail_failed(), pk=pk)
        try:
            notification_resend(notification=notification)
        except NotificationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Письмо поставлено в очередь: {notification.recipient}, «{notification}».")
        return redirect(reverse("notifications_failed"))
