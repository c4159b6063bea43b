"""The portal's URLs, plus stand-ins for the meeting, protocol and event pages that meetings/urls.py does not
route yet (they are written in another branch): panels and the feed link to them through get_absolute_url.

Only the names meetings/urls.py lacks get a stand-in, so this module keeps working once the real pages land.
"""

from django.http import HttpResponse
from django.urls import URLResolver, include, path

from meetings import urls as meetings_urls
from rmo_portal.urls import handler400, handler403, handler404, handler500  # noqa: F401 (the error views)
from rmo_portal.urls import urlpatterns as portal_urlpatterns


def stand_in(request, pk):
    return HttpResponse(f"stand-in page {pk}")


STAND_INS = [
    path("meetings/<int:pk>/", stand_in, name="detail"),
    path("protocols/<int:pk>/", stand_in, name="protocol"),
    path("events/<int:pk>/", stand_in, name="event_detail"),
]
routed = {p.name for p in meetings_urls.urlpatterns}
meetings_patterns = meetings_urls.urlpatterns + [p for p in STAND_INS if p.name not in routed]

urlpatterns = [p for p in portal_urlpatterns if not (isinstance(p, URLResolver) and p.namespace == "meetings")] + [
    path("", include((meetings_patterns, "meetings")))
]
