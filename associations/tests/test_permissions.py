"""The permission matrix: each role × each named action of associations/ (asked as views and templates ask)."""

import pytest

from associations.models import Order
from associations.tests.factories import AssociationFactory, MembershipFactory, leader_of
from members.tests.factories import TeacherFactory, UserFactory, district_head, methodist, portal_admin
from rmo_portal.permissions import allowed

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "teacher", "member", "secretary", "leader", "curator", "methodist", "head", "admin")

# action → the roles that hold it (on `association`, on `draft` by the curator, or on `awaiting`)
MATRIX = {
    ("associations.view_people", "association"): {
        "member", "secretary", "leader", "curator", "methodist", "head", "admin",
    },
    ("associations.manage_composition", "association"): {"leader", "curator", "admin"},
    ("associations.approve_invitation", "association"): {"curator", "admin"},
    ("associations.lead_any", None): {"leader"},
    ("associations.view_orders", None): {"curator", "methodist", "head", "admin"},
    ("associations.draft_order", None): {"curator", "methodist", "admin"},
    ("associations.edit_order", "draft"): {"curator", "admin"},
    ("associations.edit_order", "awaiting"): set(),
    ("associations.sign_order", "draft"): set(),
    ("associations.sign_order", "awaiting"): {"head"},
    ("associations.revoke_order", None): {"head"},
    ("members.view_teacher_list", None): {"leader", "curator", "methodist", "head", "admin"},
    ("members.review_teacher", "member_profile"): {"leader", "curator", "methodist", "admin"},
    ("members.review_any", None): {"leader", "curator", "methodist", "admin"},
    ("members.import_teachers", None): {"curator", "methodist", "admin"},
}  # fmt: skip


@pytest.fixture
def world():
    from django.contrib.auth.models import AnonymousUser

    association = AssociationFactory()
    curator = methodist(username="curator")
    association.curators.add(curator)
    member = MembershipFactory(association=association, user__username="member").user
    people = {
        "anonymous": AnonymousUser(),
        "teacher": UserFactory(username="teacher"),
        "member": member,
        "secretary": MembershipFactory(association=association, role="secretary", user__username="sec").user,
        "leader": leader_of(association, user__username="leader"),
        "curator": curator,
        "methodist": methodist(username="other"),
        "head": district_head(username="head"),
        "admin": portal_admin(username="admin"),
    }
    common = {"kind": "other", "title": "Приказ", "text": ".", "effective_date": "2026-12-01", "drafted_by": curator}
    objects = {
        None: None,
        "association": association,
        "draft": Order.objects.create(**common),
        "awaiting": Order.objects.create(status="awaiting", **common),
        "member_profile": TeacherFactory(user=member),
    }
    return people, objects


@pytest.mark.parametrize(("perm", "target"), list(MATRIX))
def test_roles_by_actions(world, perm, target):
    people, objects = world
    holders = {role for role in ROLES if allowed(people[role], perm, objects[target])}
    assert holders == MATRIX[(perm, target)]
