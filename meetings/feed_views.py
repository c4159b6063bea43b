"""The personal calendar feed: the page with the secret address, its renewal, and the feed itself."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from rmo_portal.mixins import PermissionMixin

from .feeds import calendar_feed_find, calendar_feed_of, calendar_feed_renew, events_in_feed, feed_text


def https_url(request: HttpRequest, path: str) -> str:
    """An absolute https address on this site: a feed's token must never travel in clear."""
    url = request.build_absolute_uri(path)
    return "https://" + url.split("://", 1)[1] if url.startswith("http://") else url


def feed_url(request: HttpRequest, token: str) -> str:
    return https_url(request, reverse("meetings:calendar_feed", args=[token]))


class CalendarFeedPageView(PermissionMixin, TemplateView):
    """«Календарь в телефоне»: the person's secret feed address, to copy into a calendar app or renew."""

    permission_required = "meetings.use_calendar_feed"
    template_name = "meetings/feed.html"

    def get_context_data(self, **kwargs):
        feed = calendar_feed_of(self.request.user)
        return super().get_context_data(
            title="Календарь в телефоне", feed=feed, feed_url=feed_url(self.request, feed.token) if feed else "",
            events_in_feed=events_in_feed(), **kwargs,
        )  # fmt: skip


class CalendarFeedRenewView(PermissionMixin, View):
    """POST: a new secret address (or the first one); the old one stops working at once."""

    permission_required = "meetings.use_calendar_feed"

    def post(self, request, *args, **kwargs):
        had_one = calendar_feed_of(request.user) is not None
        calendar_feed_renew(user=request.user)
        messages.success(
            request,
            "Выдан новый адрес календаря. Прежний больше не работает: замените его в календаре на телефоне."
            if had_one
            else "Адрес календаря готов. Скопируйте его в приложение календаря.",
        )
        return redirect("meetings:calendar")


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar text of the person who holds the token; no log-in (a calendar app cannot log in), 404 for
    an unknown or replaced token."""
    feed = calendar_feed_find(token)
    if feed is None or not feed.user.is_active:
        raise Http404("Такого календаря нет: возможно, его адрес заменён.")
    host = request.get_host().split(":")[0]
    text = feed_text(feed, host=host, base_url=https_url(request, "/").rstrip("/"))
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="calendar.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
