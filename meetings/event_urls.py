"""Routes of the district events (/events/…), included by meetings/urls.py in the «meetings» namespace."""

urlpatterns: list = []
