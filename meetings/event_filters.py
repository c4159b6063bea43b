"""Filters of the district's calendar of events: kind, organising association, subject, period."""

import django_filters
from django.db.models import Exists, OuterRef

from associations.models import Association
from members.models import Subject
from rmo_portal.forms import FastSelect

from .event_services import overlapping
from .models import Event

DATE = {"type": "date"}


def _organised_by(queryset, name, value):
    through = Event.organisers.through
    return queryset.filter(Exists(through.objects.filter(event=OuterRef("pk"), association=value)))


class EventFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(widget=FastSelect, label="Вид", choices=Event.Kind.choices, empty_label="Любой")
    association = django_filters.ModelChoiceFilter(
        widget=FastSelect, label="Организатор", queryset=Association.objects.active().order_by("name"),
        empty_label="Любой", method=_organised_by,
    )  # fmt: skip
    subject = django_filters.ModelChoiceFilter(
        widget=FastSelect, label="Предмет", queryset=Subject.objects.order_by("name"), empty_label="Любой"
    )
    date_from = django_filters.DateFilter(
        label="С", method="starting", widget=django_filters.widgets.forms.DateInput(attrs=DATE)
    )
    date_to = django_filters.DateFilter(
        label="По", method="ending", widget=django_filters.widgets.forms.DateInput(attrs=DATE)
    )

    class Meta:
        model = Event
        fields = ["kind", "association", "subject", "date_from", "date_to"]

    def starting(self, queryset, name, value):
        return overlapping(queryset, start=value, end=None)

    def ending(self, queryset, name, value):
        return overlapping(queryset, start=None, end=value)


class MonthFilter(EventFilter):
    """The month view's filters: the month itself is the period."""

    class Meta:
        model = Event
        fields = ["kind", "association", "subject"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.filters["date_from"], self.filters["date_to"]
