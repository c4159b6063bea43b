"""Russian search that behaves the same on SQLite and PostgreSQL.

SQLite folds case only for ASCII, and neither database equates ё with е. Both sides of a search
are folded the same way: lower case, ё → е. On PostgreSQL that is TRANSLATE(LOWER(x)); on SQLite
a Python function registered on every new connection (rmo_portal.apps).
"""

from functools import reduce
from operator import or_

from django.db.models import CharField, Func, Q, QuerySet


def fold(value: str) -> str:
    """The search form of a text: «Ёлкина» → «елкина»."""
    return value.casefold().replace("ё", "е")


class Fold(Func):
    """The database-side twin of fold()."""

    function = "RMO_FOLD"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="TRANSLATE(LOWER(%(expressions)s), 'ёЁ', 'ее')", **extra_context
        )


def register_sqlite_fold(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "RMO_FOLD", 1, lambda v: fold(v) if v is not None else None, deterministic=True
        )


def search(queryset: QuerySet, fields: list[str], text: str) -> QuerySet:
    """Rows where every word of `text` occurs in one of `fields`, case and ё/е aside."""
    words = fold(text).split()
    if not words:
        return queryset
    annotations = {f"_fold_{i}": Fold(field) for i, field in enumerate(fields)}
    queryset = queryset.annotate(**annotations)
    for word in words:
        queryset = queryset.filter(reduce(or_, (Q(**{f"{alias}__contains": word}) for alias in annotations)))
    return queryset


class FoldedSearchAdminMixin:
    """The admin's search box as the portal's own lists search: case and ё/е aside («елкина» finds «Ёлкина»)."""

    def get_search_results(self, request, queryset, search_term):
        fields = [f.lstrip("^=@") for f in self.get_search_fields(request)]
        if not fields or not search_term.strip():
            return super().get_search_results(request, queryset, search_term)
        # A field across a relation may match one row several times: the admin then takes distinct rows.
        return search(queryset, fields, search_term), any("__" in f for f in fields)
