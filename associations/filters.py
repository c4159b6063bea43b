import django_filters
from django.db.models import Exists, OuterRef

from members.filters import TEACHER_FILTER_EXTENSIONS
from members.models import Role, User
from rmo_portal.forms import FastSelect, ValuesModelChoiceFilter
from rmo_portal.search import search

from .models import Association, Membership


def _person_label(last_name, first_name, patronymic, username) -> str:
    """What User.__str__ says: the full name, or the login when there is none."""
    return " ".join(p for p in (last_name, first_name, patronymic) if p) or username


class AssociationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Поиск", method="search")
    kind = django_filters.ChoiceFilter(
        widget=FastSelect, label="Вид", choices=Association.Kind.choices, empty_label="Любой"
    )
    # Ordered by the stored key from the (role, sort_key) index: not a sort of every account by three columns.
    curator = ValuesModelChoiceFilter(
        label="Методист",
        field_name="curators",
        queryset=User.objects.filter(role=Role.METHODIST).order_by("sort_key", "id"),
        label_values=("last_name", "first_name", "patronymic", "username"),
        label_join=_person_label,
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
        subjects = Association.objects.exclude(subject_area="").values_list("subject_area", flat=True)
        # Ordered by the column itself: Meta.ordering (LOWER(name)) would leak into the DISTINCT.
        subjects = subjects.order_by("subject_area").distinct()
        self.filters["subject_area"].extra["choices"] = [(s, s) for s in sorted(set(subjects))]

    def search(self, queryset, name, value):
        return search(queryset, ["name", "subject_area"], value)


def _in_association(queryset, name, value):
    """Teachers with a membership (of any time and role) in the association, as EXISTS: no join."""
    return queryset.filter(Exists(Membership.objects.filter(user=OuterRef("user"), association=value)))


def _association_filter():
    return ValuesModelChoiceFilter(
        label="Объединение",
        queryset=Association.objects.active(),
        empty_label="Любое",
        method=_in_association,
    )


# The teacher list in members/ gains «Объединение» now that memberships exist.
TEACHER_FILTER_EXTENSIONS.append(("association", _association_filter))
