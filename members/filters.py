import django_filters

from rmo_portal import calendar
from rmo_portal.search import search

from .models import Category, School, Subject, Teacher

# Filters that higher apps add (associations: «Объединение»), as (name, factory) pairs.
TEACHER_FILTER_EXTENSIONS: list = []

YES_NO = [("1", "Да")]


class TeacherFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Поиск по ФИО", method="filter_q")
    school = django_filters.ModelChoiceFilter(
        label="Образовательная организация",
        field_name="employments__school",
        queryset=School.objects.all(),
        empty_label="Любая",
        distinct=True,
    )
    subject = django_filters.ModelChoiceFilter(
        label="Предмет", field_name="subjects", queryset=Subject.objects.all(), empty_label="Любой", distinct=True
    )
    category = django_filters.ChoiceFilter(label="Категория", choices=Category.choices, empty_label="Любая")
    attestation_year = django_filters.NumberFilter(label="Год аттестации", method="filter_attestation_year")
    course_overdue = django_filters.ChoiceFilter(
        label="КПК больше 3 лет назад", choices=YES_NO, empty_label="Все", method="filter_course_overdue"
    )
    young = django_filters.ChoiceFilter(
        label="Молодые специалисты", choices=YES_NO, empty_label="Все", method="filter_young"
    )

    class Meta:
        model = Teacher
        fields = ["q", "school", "subject", "category", "attestation_year", "course_overdue", "young"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, factory in TEACHER_FILTER_EXTENSIONS:
            self.filters[name] = factory()

    def filter_q(self, queryset, name, value):
        return search(queryset, ["user__last_name", "user__first_name", "user__patronymic"], value)

    def filter_attestation_year(self, queryset, name, value):
        return queryset.with_schedule_facts(on=calendar.today()).filter(next_attestation=int(value))

    def filter_course_overdue(self, queryset, name, value):
        return queryset.course_overdue(on=calendar.today()) if value == "1" else queryset

    def filter_young(self, queryset, name, value):
        return queryset.young_specialists(on=calendar.today()) if value == "1" else queryset
