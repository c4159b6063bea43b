"""A teacher gives consent to the processing of personal data before anything else (152-ФЗ)."""

from django.shortcuts import redirect
from django.urls import reverse

from .models import ConsentDocument
from .services import consent_needed

# Pages a teacher may open without consent: the consent itself, log-out, password pages.
EXEMPT_PREFIXES = ("/me/consent/", "/accounts/", "/static/", "/healthz", "/admin/")
# The session remembers which consent document this user was found to have accepted (or not to need).
SESSION_KEY = "consent_checked_for"


class ConsentRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(EXEMPT_PREFIXES):
            document = ConsentDocument.current()
            checked = document.pk if document else None
            if request.session.get(SESSION_KEY) != checked:
                if consent_needed(user=user, document=document):
                    return redirect(f"{reverse('members:consent')}?next={request.get_full_path()}")
                request.session[SESSION_KEY] = checked
        return self.get_response(request)
