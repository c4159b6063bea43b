"""The associations' background files (rmo_portal.exports): the list as PDF, dozens of pages in a region."""

from rmo_portal import calendar
from rmo_portal.district import district
from rmo_portal.exports import ExportError, query_of, register

from .filters import AssociationFilter
from .models import Association


def build_list_pdf(job, params, progress):
    """The filtered list the owner sees, as the page shows it («Страница N из M», the header on each page)."""
    from rmo_portal.pdf import render_pdf

    today = calendar.today()
    queryset = (
        Association.objects.visible_to(job.owner)
        .select_related("regulation")
        .prefetch_related("curators")
        .with_people(on=today)
    )
    filterset = AssociationFilter(query_of(params), queryset=queryset)
    if not filterset.is_valid():
        raise ExportError("Отбор списка больше не действует. Закажите выгрузку снова.")
    associations = list(filterset.qs)
    progress(1, 2)
    content = render_pdf(
        "pdf/association_list.html",
        {"associations": associations, "today": today, "DISTRICT_NAME": district().name},
    )
    return "associations.pdf", content


def register_exports() -> None:
    register("associations_pdf", label="Объединения (PDF)", permission=None, build=build_list_pdf)
