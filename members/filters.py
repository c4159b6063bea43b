import django_filters
from django.utils import timezone

from rmo_portal import calendar
from rmo_portal.forms import FastSelect, ValuesModelChoiceFilter

from .models import Category, Invitation, School, Subject, Teacher

# Filters that higher apps add (associations: «Объединение»), as (name, factory) pairs.
TEACHER_FILTER_EXTENSIONS: list = []

YES_NO = [("1", "Да")]


class TeacherFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Поиск по ФИО", method="filter_q")
    # Filters across relations are EXISTS subqueries (TeacherQuerySet): no join, no DISTINCT over the district.
    school = ValuesModelChoiceFilter(
        label="Образовательная организация",
        queryset=School.objects.all(),
        label_values=("short_name",),
        empty_label="Любая",
        method="filter_school",
    )
    subject = ValuesModelChoiceFilter(
        label="Предмет", queryset=Subject.objects.all(), empty_label="Любой", method="filter_subject"
    )
    category = django_filters.ChoiceFilter(
        widget=FastSelect, label="Категория", choices=Category.choices, empty_label="Любая"
    )
    attestation_year = django_filters.NumberFilter(label="Год аттестации", method="filter_attestation_year")
    course_overdue = django_filters.ChoiceFilter(
        widget=FastSelect,
        label="КПК больше 3 лет назад",
        choices=YES_NO,
        empty_label="Все",
        method="filter_course_overdue",
    )
    young = django_filters.ChoiceFilter(
        widget=FastSelect, label="Молодые специалисты", choices=YES_NO, empty_label="Все", method="filter_young"
    )

    class Meta:
        model = Teacher
        fields = ["q", "school", "subject", "category", "attestation_year", "course_overdue", "young"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, factory in TEACHER_FILTER_EXTENSIONS:
            self.filters[name] = factory()

    def filter_q(self, queryset, name, value):
        return queryset.search(value)

    def filter_school(self, queryset, name, value):
        return queryset.at_school(value)

    def filter_subject(self, queryset, name, value):
        return queryset.teaching(value)

    def filter_attestation_year(self, queryset, name, value):
        return queryset.with_schedule_facts(on=calendar.today()).filter(next_attestation=int(value))

    def filter_course_overdue(self, queryset, name, value):
        return queryset.course_overdue(on=calendar.today()) if value == "1" else queryset

    def filter_young(self, queryset, name, value):
        return queryset.young_specialists(on=calendar.today()) if value == "1" else queryset


class InvitationFilter(django_filters.FilterSet):
    """The invitations list: by state (computed at the moment of asking) and by the teacher's school."""

    state = django_filters.ChoiceFilter(
        widget=FastSelect, label="Состояние", choices=Invitation.State.choices, empty_label="Любое",
        method="filter_state",
    )  # fmt: skip
    school = ValuesModelChoiceFilter(
        label="Образовательная организация",
        queryset=School.objects.all(),
        label_values=("short_name",),
        empty_label="Любая",
        method="filter_school",
    )

    class Meta:
        model = Invitation
        fields = ["state", "school"]

    def filter_state(self, queryset, name, value):
        return queryset.in_state(value, now=timezone.now())

    def filter_school(self, queryset, name, value):
        return queryset.filter(user_id__in=Teacher.objects.at_school(value).values("user_id"))
