import datetime

import factory
from django.utils import timezone

from associations.tests.factories import AssociationFactory
from meetings.models import Event, Meeting


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    association = factory.SubFactory(AssociationFactory)
    academic_year = 2026
    starts_at = factory.LazyFunction(lambda: timezone.make_aware(datetime.datetime(2026, 11, 12, 15, 0)))
    topic = factory.Sequence(lambda n: f"Заседание № {n + 1}: итоги четверти")
    place = "МБОУ СОШ № 1, каб. 12"


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    kind = Event.Kind.SEMINAR
    title = factory.Sequence(lambda n: f"Районный семинар № {n + 1}")
    starts_on = datetime.date(2026, 12, 10)
    place = "Районный методический центр"
    published = True
