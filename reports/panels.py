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
    link to where it is fulfilled (1 query; the deadline sweep keeps the rows, reports.deadlines)."""
    from django.urls import reverse

    from .deadlines import obligation_link

    led = Membership.objects.current(on=today).filter(user=request.user, role=Membership.Role.LEADER)
    rows = list(
        Obligation.objects.open()
        .filter(association__in=led.values("association"))
        .select_related("association")
        .order_by("due", "association__name", "pk")
    )
    if not rows:
        return None
    for obligation in rows:
        obligation.link = obligation_link(obligation, reverse=reverse)
    return {"obligations": rows, "several": len({o.association_id for o in rows}) > 1}


def register_panels() -> None:
    register("methodist", key="documents_to_review", template="reports/panels/to_review.html",
             permission="reports.review_queue", order=25, context=to_review)  # fmt: skip
    # Beside associations' «leader_obligations» (the regulation's dates, computed on the fly): these are the rows.
    register("leader", key="deadlines", template="reports/panels/deadlines.html", order=31,
             context=leader_deadlines)  # fmt: skip
    register("leader", key="my_documents", template="reports/panels/my_documents.html", order=45,
             context=my_documents)  # fmt: skip
