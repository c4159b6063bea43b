"""A teacher gives consent to the processing of personal data before anything else (152-ФЗ)."""

from django.core.cache import cache
from django.shortcuts import redirect
from django.urls import reverse

from .models import ConsentDocument
from .services import consent_needed

# Pages a teacher may open without consent: the consent itself, log-out, password pages.
EXEMPT_PREFIXES = ("/me/consent/", "/accounts/", "/static/", "/healthz", "/admin/")
# The session remembers which consent document this user was found to have accepted (or not to need).
SESSION_KEY = "consent_checked_for"
# Which document is current changes when an admin publishes a version (or its date comes): asking the
# database once a minute, not on every request, keeps the cost of a page the same for every request.
CURRENT_CACHE_KEY = "members:consent-document-current"
CURRENT_CACHE_SECONDS = 60


def current_document_id() -> int | None:
    """The id of the consent document in force, from the cache; 0 is cached for "none"."""
    pk = cache.get(CURRENT_CACHE_KEY)
    if pk is None:
        document = ConsentDocument.current()
        pk = document.pk if document else 0
        cache.set(CURRENT_CACHE_KEY, pk, CURRENT_CACHE_SECONDS)
    return pk or None


class ConsentRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(EXEMPT_PREFIXES):
            checked = current_document_id()
            # Only the first request of a session (or after a new version) asks the database.
            if request.session.get(SESSION_KEY) != checked:
                document = ConsentDocument.objects.filter(pk=checked).first() if checked else None
                if document and consent_needed(user=user, document=document):
                    return redirect(f"{reverse('members:consent')}?next={request.get_full_path()}")
                request.session[SESSION_KEY] = checked
        return self.get_response(request)
