"""What the documents put on the start pages (rmo_portal.panels); registered in ReportsConfig.ready().

Each context runs a fixed number of queries, however many documents it shows.
"""

import datetime

from django.http import HttpRequest

from associations.models import Membership
from rmo_portal import calendar
from rmo_portal.panels import register

from .models import Filing, Obligation

PREVIEW = 10


def to_review(request: HttpRequest, today: datetime.date) -> dict | None:
    """The methodist's queue: what her associations submitted, oldest first (2 queries)."""
    queue = Filing.objects.awaiting_review_by(request.user).select_related("association")
    rows = list(queue[:PREVIEW])
    if not rows:
        return None
    return {"filings": rows, "total": queue.count() if len(rows) == PREVIEW else len(rows)}


def my_documents(request: HttpRequest, today: datetime.date) -> dict | None:
    """The leader's documents of this academic year: returned ones first, then the rest (2 queries)."""
    led = list(
        Membership.objects.current(on=today)
        .filter(user=request.user, role=Membership.Role.LEADER)
        .select_related("association")
    )
    if not led:
        return None
    year = calendar.academic_year_of(today)
    filings = list(
        Filing.objects.filter(association__in=[m.association_id for m in led], academic_year__in=[year, year + 1])
        .select_related("association")
        .order_by("association__name", "academic_year", "kind", "quarter")
    )
    filings.sort(key=lambda f: f.status != Filing.Status.RETURNED)
    return {"associations": [m.association for m in led], "filings": filings, "year": year}


def leader_deadlines(request: HttpRequest, today: datetime.date) -> dict | None:
    """«Что положено сделать»: the open obligations of the associations she leads, in date order, each with the
    link to where it is fulfilled; when none is open, says so (2 queries; the deadline sweep keeps the rows,
    reports.deadlines)."""
    from django.urls import reverse

    from associations.models import Association

    from .deadlines import obligation_link

    led = Membership.objects.current(on=today).filter(user=request.user, role=Membership.Role.LEADER)
    associations = list(Association.objects.filter(pk__in=led.values("association")).order_by("name"))
    if not associations:
        return None
    rows = list(
        Obligation.objects.open()
        .filter(association__in=associations)
        .select_related("association")
        .order_by("due", "association__name", "pk")
    )
    for obligation in rows:
        obligation.link = obligation_link(obligation, reverse=reverse)
    return {"obligations": rows, "several": len(associations) > 1, "associations": associations}


def methodist_deadlines(request: HttpRequest, today: datetime.date) -> dict | None:
    """«Сроки: что требует внимания сегодня»: her associations' overdue obligations and those due today, and the
    documents waiting for her review (2 queries; reports.dashboards.needs_attention_today)."""
    from .dashboards import needs_attention_today

    attention = needs_attention_today(user=request.user, today=today)
    return {"attention": attention} if attention else None


def head_compliance(request: HttpRequest, today: datetime.date) -> dict:
    """«Исполнение регламента»: the district's compliance share this year, the escalations to the head and the
    flagged leaders, in numbers (5 queries; reports.dashboards)."""
    from .dashboards import district_share, escalations_to_head, leaders_flagged

    year = calendar.academic_year_of(today)
    return {
        "share": district_share(academic_year=year, today=today),
        "year_label": calendar.academic_year_label(year),
        "escalations": len(escalations_to_head(today=today)),
        "flagged": len(leaders_flagged(today=today)),
    }


def register_panels() -> None:
    register("methodist", key="deadlines_today", template="reports/panels/deadlines_today.html",
             permission="reports.view_deadlines", order=15, context=methodist_deadlines)  # fmt: skip
    register("head", key="compliance", template="reports/panels/compliance.html",
             permission="reports.view_deadlines", order=20, context=head_compliance)  # fmt: skip
    register("methodist", key="documents_to_review", template="reports/panels/to_review.html",
             permission="reports.review_queue", order=25, context=to_review)  # fmt: skip
    # What she owes, from the obligations' rows (the regulation's dates as such are on the association's page).
    register("leader", key="deadlines", template="reports/panels/deadlines.html", order=30,
             context=leader_deadlines)  # fmt: skip
    register("leader", key="my_documents", template="reports/panels/my_documents.html", order=45,
             context=my_documents)  # fmt: skip
