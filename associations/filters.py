import django_filters

from members.models import Role, User
from rmo_portal.search import search

from .models import Association


class AssociationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Поиск", method="search")
    kind = django_filters.ChoiceFilter(label="Вид", choices=Association.Kind.choices, empty_label="Любой")
    curator = django_filters.ModelChoiceFilter(
        label="Методист",
        field_name="curators",
        queryset=User.objects.filter(role=Role.METHODIST),
        empty_label="Любой",
    )

    class Meta:
        model = Association
        fields = ["q", "kind", "curator"]

    def search(self, queryset, name, value):
        return search(queryset, ["name", "subject_area"], value)
