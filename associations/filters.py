import django_filters
from django.db.models import Exists, OuterRef

from members.filters import TEACHER_FILTER_EXTENSIONS
from members.models import Role, User
from rmo_portal.forms import FastSelect
from rmo_portal.search import search

from .models import Association, Membership


class AssociationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Поиск", method="search")
    kind = django_filters.ChoiceFilter(
        widget=FastSelect, label="Вид", choices=Association.Kind.choices, empty_label="Любой"
    )
    curator = django_filters.ModelChoiceFilter(
        widget=FastSelect,
        label="Методист",
        field_name="curators",
        queryset=User.objects.filter(role=Role.METHODIST),
        empty_label="Любой",
    )

    subject_area = django_filters.ChoiceFilter(
        widget=FastSelect, label="Предметная область", empty_label="Любая", choices=[]
    )
    status = django_filters.ChoiceFilter(
        widget=FastSelect, label="Состояние", choices=Association.Status.choices, empty_label="Любое"
    )

    class Meta:
        model = Association
        fields = ["q", "subject_area", "kind", "curator", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        subjects = Association.objects.exclude(subject_area="").values_list("subject_area", flat=True).distinct()
        self.filters["subject_area"].extra["choices"] = [(s, s) for s in sorted(set(subjects))]

    def search(self, queryset, name, value):
        return search(queryset, ["name", "subject_area"], value)


def _in_association(queryset, name, value):
    """Teachers with a membership (of any time and role) in the association, as EXISTS: no join."""
    return queryset.filter(Exists(Membership.objects.filter(user=OuterRef("user"), association=value)))


def _association_filter():
    return django_filters.ModelChoiceFilter(
        widget=FastSelect,
        label="Объединение",
        queryset=Association.objects.active(),
        empty_label="Любое",
        method=_in_association,
    )


# The teacher list in members/ gains «Объединение» now that memberships exist.
TEACHER_FILTER_EXTENSIONS.append(("association", _association_filter))
