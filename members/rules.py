"""Who may do what in the teacher database, as far as accounts alone tell.

associations/rules.py widens the teacher rights to the leaders of the teacher's associations.
"""

import rules

from .models import Role, Teacher


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
    return user.is_authenticated and Teacher.objects.filter(user=user).exists()


@rules.predicate
def is_own_profile(user, teacher: Teacher) -> bool:
    return user.is_authenticated and teacher.user_id == user.pk


is_service_staff = is_district_head | is_methodist | is_portal_admin
# Methodists review profile changes; leaders get the right through associations/rules.py.
is_profile_reviewer = is_methodist | is_portal_admin

rules.add_perm("members.view_own_profile", is_teacher)
rules.add_perm("members.view_district", is_service_staff)
rules.add_perm("members.view_teacher_list", is_service_staff)
rules.add_perm("members.view_teacher", is_service_staff | is_own_profile)
rules.add_perm("members.review_teacher", is_profile_reviewer)
rules.add_perm("members.review_any", is_profile_reviewer)
rules.add_perm("members.import_teachers", is_methodist | is_portal_admin)
rules.add_perm("portal.use_admin", is_portal_admin)
# The start pages of the service's accounts (rmo_portal.views.START_PAGES).
rules.add_perm("portal.head_start", is_district_head)
rules.add_perm("portal.methodist_start", is_methodist)
rules.add_perm("portal.admin_start", is_portal_admin)
# Notifications (rmo_portal.notifications): the administrator sees failed letters and sends them again; the head
# receives escalations only in the daily digest (the preferences page says so).
rules.add_perm("portal.resend_mail", is_portal_admin)
rules.add_perm("portal.escalations_as_digest", is_district_head)
# Invitations of teachers who have no password yet: the service sees them; methodists and the administrator send.
rules.add_perm("members.view_invitations", is_service_staff)
rules.add_perm("members.invite_teachers", is_methodist | is_portal_admin)
