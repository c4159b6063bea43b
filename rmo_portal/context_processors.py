from django.utils.functional import SimpleLazyObject

from .district import district
from .navigation import nav_for


def portal(request):
    user = getattr(request, "user", None)
    names = SimpleLazyObject(district)  # read when a template shows a name (cached; rmo_portal.district)
    return {
        "PORTAL_NAME": SimpleLazyObject(lambda: names.portal_name),
        "DISTRICT_NAME": SimpleLazyObject(lambda: names.name),
        "ORGANISATION_NAME": SimpleLazyObject(lambda: names.organisation_name),
        "nav_items": nav_for(user) if user is not None else [],
    }
