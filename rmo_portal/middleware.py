"""Russian pages for the error statuses that Django answers without a template (405) or never sees (414)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponseNotAllowed

from .errors import method_not_allowed, uri_too_long


class ErrorPagesMiddleware:
    """414 for a path and query longer than REQUEST_LINE_MAX; the Russian page in place of Django's empty 405.

    gunicorn runs with --limit-request-line 0, so that an over-long request reaches this middleware instead of
    gunicorn's English 414.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if len(request.get_full_path()) > settings.REQUEST_LINE_MAX:
            return uri_too_long(request)
        response = self.get_response(request)
        if isinstance(response, HttpResponseNotAllowed):
            return method_not_allowed(request, response["Allow"])
        return response


class DistrictTimeZoneMiddleware:
    """Times on pages in the district's zone (the first-run setup's, else TIME_ZONE): no query, the cached names."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        from zoneinfo import ZoneInfo

        from django.utils import timezone

        from .district import district_time_zone

        with timezone.override(ZoneInfo(district_time_zone())):
            return self.get_response(request)
