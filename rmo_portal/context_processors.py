from django.conf import settings

from .navigation import nav_for


def portal(request):
    user = getattr(request, "user", None)
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "DISTRICT_NAME": settings.DISTRICT_NAME,
        "ORGANISATION_NAME": settings.ORGANISATION_NAME,
        "nav_items": nav_for(user) if user is not None else [],
    }
