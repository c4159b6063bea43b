import datetime

import factory

from associations.models import Association, Membership, Regulation
from members.tests.factories import UserFactory


class RegulationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Regulation
        django_get_or_create = ["code"]

    code = "pechora-rmo"
    title = "Положение о районном методическом объединении"
    district = "Печорский район"


class AssociationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Association

    name = factory.Sequence(lambda n: f"РМО учителей предмета № {n + 1}")
    subject_area = "Русский язык"
    regulation = factory.SubFactory(RegulationFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    association = factory.SubFactory(AssociationFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER
    start_date = datetime.date(2026, 9, 1)


def leader_of(association: Association, **user_kwargs):
    return MembershipFactory(association=association, role=Membership.Role.LEADER, **user_kwargs).user
