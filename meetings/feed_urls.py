"""Routes of the personal iCalendar feed (/calendar/…), included by meetings/urls.py in the «meetings» namespace."""

from django.urls import path

from . import feed_views

urlpatterns: list = [
    path("calendar/", feed_views.CalendarFeedPageView.as_view(), name="calendar"),
    path("calendar/renew/", feed_views.CalendarFeedRenewView.as_view(), name="calendar_renew"),
    path("calendar/<slug:token>.ics", feed_views.calendar_feed, name="calendar_feed"),
]
