"""Who may do what, as far as accounts alone tell (association roles live in associations/rules.py)."""

import rules

from .models import Role


@rules.predicate
def is_district_head(user) -> bool:
    return user.is_authenticated and user.role == Role.DISTRICT_HEAD


@rules.predicate
def is_methodist(user) -> bool:
    return user.is_authenticated and user.role == Role.METHODIST


@rules.predicate
def is_portal_admin(user) -> bool:
    return user.is_authenticated and (user.role == Role.ADMIN or user.is_superuser)


@rules.predicate
def is_teacher(user) -> bool:
    """Any account with a teacher's profile, whatever else it is."""
    return user.is_authenticated and hasattr(user, "teacher")


is_service_staff = is_district_head | is_methodist | is_portal_admin

rules.add_perm("members.view_own_profile", rules.is_authenticated)
rules.add_perm("members.view_district", is_service_staff)
rules.add_perm("portal.use_admin", is_portal_admin)
