"""Who may do what on associations; the membership roles that every later app builds on."""

import rules
from django.db.models import Q

from members import models as members_models
from members.rules import (
    is_district_head,
    is_methodist,
    is_own_profile,
    is_portal_admin,
    is_profile_reviewer,
    is_service_staff,
)
from rmo_portal import calendar

from .models import Association, Membership


def _has_current_role(user, association, role) -> bool:
    if not user.is_authenticated:
        return False
    qs = Membership.objects.current(on=calendar.today()).filter(user=user, role=role)
    if association is not None:
        qs = qs.filter(association=association)
    return qs.exists()


@rules.predicate
def is_leader(user, association=None) -> bool:
    """Leads this association (or, asked without one, any association)."""
    return _has_current_role(user, association, Membership.Role.LEADER)


@rules.predicate
def is_secretary(user, association=None) -> bool:
    """Is the secretary of this association (or, asked without one, of any association)."""
    return _has_current_role(user, association, Membership.Role.SECRETARY)


@rules.predicate
def is_member(user, association: Association) -> bool:
    return (
        user.is_authenticated
        and Membership.objects.current(on=calendar.today()).filter(user=user, association=association).exists()
    )


@rules.predicate
def is_curator(user, association: Association) -> bool:
    return user.is_authenticated and association.curators.filter(pk=user.pk).exists()


def led_teachers(user) -> Q:
    """The teachers of the associations `user` leads today (a scope of members.Teacher)."""
    led = Membership.objects.current(on=calendar.today()).filter(user=user, role=Membership.Role.LEADER)
    members = Membership.objects.current(on=calendar.today()).filter(association__in=led.values("association"))
    return Q(user__in=members.values("user"))


members_models.TEACHER_SCOPES.append(led_teachers)


@rules.predicate
def leads_teacher(user, teacher) -> bool:
    """Leads an association this teacher is a member of."""
    return user.is_authenticated and members_models.Teacher.objects.filter(led_teachers(user), pk=teacher.pk).exists()


rules.add_perm("associations.lead_any", is_leader)
# The start pages of the membership roles (rmo_portal.views.START_PAGES).
rules.add_perm("portal.leader_start", is_leader)
rules.add_perm("portal.secretary_start", is_secretary)
rules.add_perm("associations.view_people", is_service_staff | is_member)

# The leaders' rights in the teacher database arrive with the memberships (members/rules.py).
rules.set_perm("members.view_teacher_list", is_service_staff | is_leader)
rules.set_perm("members.view_teacher", is_service_staff | is_own_profile | leads_teacher)
rules.set_perm("members.review_teacher", is_profile_reviewer | leads_teacher)
rules.set_perm("members.review_any", is_profile_reviewer | is_leader)


@rules.predicate
def drafted_it(user, order) -> bool:
    return order is not None and order.drafted_by_id == user.pk


@rules.predicate
def order_editable(user, order) -> bool:
    from .models import Order

    return order is not None and order.status in Order.EDITABLE


@rules.predicate
def order_awaiting(user, order) -> bool:
    return order is not None and order.status == "awaiting"


rules.add_perm("associations.view_orders", is_service_staff)
rules.add_perm("associations.draft_order", is_methodist | is_portal_admin)
rules.add_perm("associations.edit_order", ((is_methodist & drafted_it) | is_portal_admin) & order_editable)
rules.add_perm("associations.sign_order", is_district_head & order_awaiting)
rules.add_perm("associations.sign_any_order", is_district_head)
rules.add_perm("associations.revoke_order", is_district_head)
rules.add_perm("associations.manage_composition", is_leader | is_curator | is_portal_admin)
# The curator and an admin see every teacher already: they add members at once and approve a leader's invitations.
rules.add_perm("associations.approve_invitation", is_curator | is_portal_admin)
rules.add_perm("associations.setup_district", is_portal_admin)  # the first-run setup (associations/setup.py)
