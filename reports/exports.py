"""The documents' background files (rmo_portal.exports): the district's summary of plans and reports for a year
(Excel, for the methodists and the head) and a long document's PDF."""

from rmo_portal import calendar
from rmo_portal.excel import xlsx_bytes
from rmo_portal.exports import ExportError, query_of, register
from rmo_portal.text import date_ru

from . import services
from .models import Filing

# A document longer than this many characters of text is made into a PDF in the background.
LONG_DOCUMENT_CHARS = 20_000


def build_summary(job, params, progress):
    """One row per association and document owed or filed in the year: who filed, when, its state."""
    from associations.models import Association

    try:
        year = int((params.get("year") or [calendar.current_academic_year()])[0])
    except ValueError as error:
        raise ExportError("Год указан неверно.") from error
    associations = list(Association.objects.active().select_related("regulation").order_by("name"))
    filings = {(f.association_id, f.kind, f.quarter): f
               for f in Filing.objects.filter(academic_year=year).select_related("created_by")}  # fmt: skip
    rows = []
    for n, association in enumerate(associations, start=1):
        owed = services.owed_documents(association, year) if association.regulation_id else []
        keys = {(row["kind"], row["quarter"]) for row in owed}
        extra = [
            {"kind": f.kind, "quarter": f.quarter, "label": f.kind_label, "due": None}
            for (owner, kind, quarter), f in filings.items()
            if owner == association.pk and (kind, quarter) not in keys
        ]
        for row in [*owed, *extra]:
            filing = filings.get((association.pk, row["kind"], row["quarter"]))
            rows.append([
                association.name, row["label"], date_ru(row["due"]) if row["due"] else "",
                filing.get_status_display() if filing else "не составлен",
                filing.created_by.get_full_name() if filing and filing.created_by else "",
                date_ru(filing.submitted_at) if filing and filing.submitted_at else "",
                date_ru(filing.published_at) if filing and filing.published_at else "",
            ])  # fmt: skip
        if n % 50 == 0:
            progress(n, len(associations))
    content = xlsx_bytes(
        title=f"Документы {calendar.academic_year_label(year)}",
        headers=["Объединение", "Документ", "Срок", "Состояние", "Составил", "Отправлен", "Опубликован"],
        rows=rows,
    )
    return f"documents-{year}.xlsx", content


def build_filing_pdf(job, params, progress):
    """A long document's PDF (a 20-page report), made by a worker; the owner sees the document as on the page."""
    from django.test import RequestFactory

    from rmo_portal.pdf import render_pdf

    from .views import FilingDetailView

    try:
        filing = Filing.objects.visible_to(job.owner).get(pk=int(params["filing"][0]))
    except (KeyError, ValueError, Filing.DoesNotExist) as error:
        raise ExportError("Документ не найден или больше недоступен.") from error
    request = RequestFactory().get(filing.get_absolute_url())
    request.user = job.owner
    view = FilingDetailView(request=request, kwargs={"pk": filing.pk})
    view.filing = filing
    progress(1, 2)
    return f"{filing.title}.pdf", render_pdf("pdf/filing.html", view.get_context_data())


def portfolio_context(filing: Filing, viewer) -> dict:
    """What a portfolio bundles (seed 003 §4.4): the year's plans, reports and notes (accepted or published), the
    signed protocols, the events the association organised with their results, and the materials' titles.

    Outsiders (anyone not of the association or the service) get what is public only: published documents and
    protocols, published events, and the names of people who agreed to publication."""
    from associations.models import Document as Kind
    from meetings.models import AgendaMaterial, Event, Protocol, ProtocolVersion
    from meetings.services import public_content, publishable_ids
    from rmo_portal.permissions import allowed

    insider = allowed(viewer, "reports.view_documents", filing.association)
    hidden = [] if insider else services.hidden_names(filing)

    def shown(f: Filing) -> list[dict]:
        return f.sections if insider else services.public_sections(f, f.sections)

    year = filing.academic_year
    statuses = [Filing.Status.ACCEPTED, Filing.Status.PUBLISHED] if insider else [Filing.Status.PUBLISHED]
    documents = []
    for f in (Filing.objects.filter(association=filing.association, academic_year=year, status__in=statuses)
              .exclude(kind=Kind.PORTFOLIO).order_by("kind", "quarter")):  # fmt: skip
        items = list(f.items.all()) if f.kind == Kind.WORK_PLAN else []
        for item in items:
            item.what, item.responsible, item.expected = (
                services.mask_names(v, hidden) for v in (item.what, item.responsible, item.expected)
            )
        documents.append({"title": f.title, "sections": shown(f), "items": items})
    protocol_rows = Protocol.objects.filter(
        association=filing.association, academic_year=year, status__in=list(Protocol.FINAL)
    )
    if not insider:
        protocol_rows = protocol_rows.filter(published=True)
    protocols = []
    for protocol in protocol_rows.select_related("meeting").order_by("number"):
        version = ProtocolVersion.objects.filter(protocol=protocol, number=protocol.version).first()
        if version:
            content = version.data if insider else public_content(protocol, version.data)
            protocols.append(
                {"title": f"Протокол № {protocol.number} от {protocol.meeting.day_label}", "content": content}
            )
    start, end = calendar.year_bounds(year)
    events = Event.objects.filter(organisers=filing.association, starts_on__gte=start, starts_on__lte=end)
    if not insider:
        events = events.filter(published=True)
    events = list(events.prefetch_related("participants__teacher").order_by("starts_on"))
    teachers = {p.teacher.user_id for e in events for p in e.participants.all() if p.teacher_id}
    consented = set() if insider else publishable_ids(teachers)
    for event in events:
        event.shown_results = [
            (
                p.name if insider or (p.teacher_id and p.teacher.user_id in consented)
                else "участник (ФИО не публикуется)",
                p.get_result_display(),
            )
            for p in event.participants.all()
            if p.result != "participant"
        ]  # fmt: skip
    materials = []
    if insider:
        materials = list(
            AgendaMaterial.objects.filter(
                item__meeting__association=filing.association, item__meeting__academic_year=year
            )
            .select_related("item__meeting", "file")
            .order_by("item__meeting__starts_at", "pk")
        )
    return {"filing": filing, "association": filing.association, "sections": shown(filing),
            "documents": documents, "protocols": protocols, "events": events, "materials": materials}  # fmt: skip


def build_portfolio_pdf(job, params, progress):
    """The portfolio as one PDF with a table of contents (page numbers by WeasyPrint's target-counter)."""
    from rmo_portal.pdf import render_pdf

    try:
        filing = Filing.objects.visible_to(job.owner).get(pk=int(params["filing"][0]))
    except (KeyError, ValueError, Filing.DoesNotExist) as error:
        raise ExportError("Портфолио не найдено или больше недоступно.") from error
    context = portfolio_context(filing, job.owner)
    progress(1, 2)
    return f"{filing.title}.pdf", render_pdf("pdf/portfolio.html", context)


def is_long(filing: Filing) -> bool:
    return sum(len(v) for v in filing.body.values()) > LONG_DOCUMENT_CHARS or filing.items.count() > 60


def build_deadlines(job, params, progress):
    """The deadline grid as Excel, with the page's filters, in the owner's scope (reports.dashboards)."""
    from .dashboards import deadline_grid, grid_sheet, is_district_wide
    from .forms import DeadlineFilterForm

    today = calendar.today()
    form = DeadlineFilterForm(query_of(params), district_wide=is_district_wide(job.owner), today=today)
    filters = form.filters()
    grid = deadline_grid(user=job.owner, academic_year=filters["year"], filters=filters, today=today)
    progress(1, 2)
    headers, rows = grid_sheet(grid)
    content = xlsx_bytes(title=f"Сроки {grid.year_label}", headers=headers, rows=rows)
    return f"deadlines-{grid.academic_year}.xlsx", content


def register_exports() -> None:
    register("documents_summary", label="Планы и отчёты района (Excel)", permission="reports.review_queue",
             build=build_summary)  # fmt: skip
    register("deadlines_grid", label="Исполнение сроков (Excel)", permission="reports.view_deadlines",
             build=build_deadlines)  # fmt: skip
    register("filing_pdf", label="Документ объединения (PDF)", permission=None, build=build_filing_pdf)
    register("portfolio_pdf", label="Портфолио объединения (PDF)", permission=None, build=build_portfolio_pdf)
