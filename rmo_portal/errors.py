"""The portal's error pages: Russian, in the site's layout (500 aside), saying what happened and what to do.

Registered as handler400/403/404/500 in rmo_portal.urls and as CSRF_FAILURE_VIEW; 405 and 414 come from
rmo_portal.middleware, 429 from the views that throttle.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token


def error_page(request: HttpRequest, status: int, **context) -> HttpResponse:
    """The page templates/<status>.html with the given status."""
    return render(request, f"{status}.html", context, status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Django reports a body over DATA_UPLOAD_MAX_MEMORY_SIZE as a 400; it is a 413.
    if isinstance(exception, RequestDataTooBig):
        largest_file_mb = max(settings.UPLOAD_LIMITS_MB.values())
        return error_page(request, 413, limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE, largest_file_mb=largest_file_mb)
    return error_page(request, 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context and no layout: whatever broke (the database, a template) must not break this page too.
    return HttpResponseServerError(loader.get_template("500.html").render())


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid CSRF token: mostly a page left open too long, or cookies switched off."""
    return render(request, "403_csrf.html", status=403)


def method_not_allowed(request: HttpRequest, allowed: str) -> HttpResponse:
    response = error_page(request, 405)
    response["Allow"] = allowed
    return response


def uri_too_long(request: HttpRequest) -> HttpResponse:
    return error_page(request, 414)


def too_many_requests(request: HttpRequest, *, retry_after: int) -> HttpResponse:
    response = error_page(request, 429, minutes=max(1, (retry_after + 59) // 60))
    response["Retry-After"] = str(retry_after)
    return response
