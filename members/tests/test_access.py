"""Every view of the teacher database for every role: anonymous → log-in, out of scope → 404, no right → 403."""

import pytest
from django.urls import reverse

from associations.tests.factories import AssociationFactory, MembershipFactory, leader_of
from members.tests.factories import TeacherFactory, UserFactory, district_head, methodist, portal_admin

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "teacher", "leader", "methodist", "head", "admin"]


@pytest.fixture
def people():
    association = AssociationFactory()
    leader = leader_of(association, user__username="leader")
    TeacherFactory(user=leader)
    member = MembershipFactory(association=association, user__username="member").user
    outsider = UserFactory(username="outsider")
    TeacherFactory(user=outsider)
    return {
        "profile": TeacherFactory(user=member),
        "anonymous": None,
        "outsider": outsider,
        "teacher": member,
        "leader": leader,
        "methodist": methodist(username="m"),
        "head": district_head(username="h"),
        "admin": portal_admin(username="a"),
    }


# view → expected status per role (302 = to the log-in page)
ROLE_ORDER = ("anonymous", "outsider", "teacher", "leader", "methodist", "head", "admin")
LIST = (302, 403, 403, 200, 200, 200, 200)
PROFILE = (302, 404, 200, 200, 200, 200, 200)
MATRIX = {
    view: dict(zip(ROLE_ORDER, codes, strict=True))
    for view, codes in {
        "members:teacher_list": LIST,
        "members:teacher_export": (302, 403, 403, 302, 302, 302, 302),  # ordered: on to the job's page
        "members:attestation_schedule": LIST,
        "members:training_schedule": LIST,
        "members:teacher_import": (302, 403, 403, 403, 200, 403, 200),
        "members:review_queue": (302, 403, 403, 200, 200, 403, 200),
        "members:teacher_detail": PROFILE,
        "members:teacher_history": PROFILE,
    }.items()
}


@pytest.mark.parametrize("view", list(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(client, people, view, role):
    if people[role] is not None:
        client.force_login(people[role])
    args = [people["profile"].pk] if view in ("members:teacher_detail", "members:teacher_history") else []
    response = client.get(reverse(view, args=args))
    assert response.status_code == MATRIX[view][role]
    if response.status_code == 302:  # to log in, or (ordering an export) on to the job's page
        expected = reverse("login") if people[role] is None else "/exports/"
        assert response["Location"].startswith(expected)


@pytest.mark.parametrize("role", ["outsider", "head"])
def test_only_reviewers_may_mark_a_profile_checked(client, people, role):
    client.force_login(people[role])
    response = client.post(reverse("members:teacher_check", args=[people["profile"].pk]))
    assert response.status_code == (404 if role == "outsider" else 403)


def test_my_pages_need_a_teacher_profile(client, people):
    client.force_login(people["methodist"])
    assert client.get(reverse("members:me")).status_code == 404
    assert client.get(reverse("members:contacts")).status_code == 404
    client.logout()
    assert client.get(reverse("members:me")).status_code == 302
