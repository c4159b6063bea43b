"""Routes of the personal iCalendar feed (/calendar/…), included by meetings/urls.py in the «meetings» namespace."""

urlpatterns: list = []
