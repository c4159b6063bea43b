"""Who may do what on associations; the membership roles that every later app builds on."""

import rules
from django.utils import timezone

from members.rules import is_service_staff

from .models import Association, Membership


def _has_current_role(user, association, role) -> bool:
    if not user.is_authenticated:
        return False
    qs = Membership.objects.current(on=timezone.localdate()).filter(user=user, role=role)
    if association is not None:
        qs = qs.filter(association=association)
    return qs.exists()


@rules.predicate
def is_leader(user, association=None) -> bool:
    """Leads this association (or, asked without one, any association)."""
    return _has_current_role(user, association, Membership.Role.LEADER)


@rules.predicate
def is_member(user, association: Association) -> bool:
    return (
        user.is_authenticated
        and Membership.objects.current(on=timezone.localdate()).filter(user=user, association=association).exists()
    )


@rules.predicate
def is_curator(user, association: Association) -> bool:
    return user.is_authenticated and association.curators.filter(pk=user.pk).exists()


rules.add_perm("associations.lead_any", is_leader)
rules.add_perm("associations.view_people", is_service_staff | is_member)
