"""A teacher gives consent to the processing of personal data before anything else (152-ФЗ)."""

from django.shortcuts import redirect
from django.urls import reverse

from .services import consent_needed

# Pages a teacher may open without consent: the consent itself, log-out, password pages.
EXEMPT_PREFIXES = ("/me/consent/", "/accounts/", "/static/", "/healthz", "/admin/")


class ConsentRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(EXEMPT_PREFIXES) and consent_needed(user=user):
            return redirect(f"{reverse('members:consent')}?next={request.get_full_path()}")
        return self.get_response(request)
