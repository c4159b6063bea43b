"""What the meetings put on the start pages (rmo_portal.panels); registered in MeetingsConfig.ready().

Each context runs a fixed number of queries, however many meetings, decisions or protocols it shows.
"""

import datetime

from django.http import HttpRequest

from associations.models import Membership
from rmo_portal.panels import register

from .models import Decision, Meeting, Protocol

# «Ближайшие заседания»: how far ahead, and how many.
COMING_DAYS = 60
COMING_LIMIT = 5
# «Мои поручения»: the first ones by due date; the count says how many there are in all.
TASKS_LIMIT = 20
# «Протоколы»: the protocols a leader or secretary still has to finish.
PROTOCOLS_IN_HAND = (Protocol.Status.DRAFT, Protocol.Status.RETURNED, Protocol.Status.SIGNING)


def coming_meetings(request: HttpRequest, today: datetime.date) -> dict:
    """The person's planned meetings of the next 60 days, at most five (1 query)."""
    meetings = (
        Meeting.objects.of_member(request.user, on=today)
        .coming(on=today)
        .filter(starts_at__date__lte=today + datetime.timedelta(days=COMING_DAYS))
        .select_related("association")[:COMING_LIMIT]
    )
    return {"meetings": list(meetings), "coming_days": COMING_DAYS}


def my_tasks(request: HttpRequest, today: datetime.date) -> dict | None:
    """Decisions the person is responsible for, not done, by due date; overdue ones marked (2 queries).

    Hidden when there are none: most teachers have no assignment most of the time."""
    open_ones = Decision.objects.open_for(request.user)
    decisions = list(open_ones.select_related("item__meeting__association").order_by("due_on", "pk")[:TASKS_LIMIT])
    if not decisions:
        return None
    for decision in decisions:
        decision.overdue = decision.is_overdue(today)
    total = len(decisions) if len(decisions) < TASKS_LIMIT else open_ones.count()
    return {"decisions": decisions, "decision_count": total, "today": today}


REVIEW_PREVIEW = 10


def protocols_to_review(request: HttpRequest, today: datetime.date) -> dict:
    """Signed protocols of the associations she curates, oldest signature first, late ones marked (1 query)."""
    protocols = (
        Protocol.objects.filter(status=Protocol.Status.SIGNED, association__curators=request.user)
        .select_related("association", "meeting")
        .order_by("signed_at", "pk")
    )
    shown = list(protocols[:REVIEW_PREVIEW])  # the oldest first; a region's year would otherwise list hundreds
    return {"protocols": shown, "more": protocols.count() - len(shown) if len(shown) == REVIEW_PREVIEW else 0}


def protocols_in_hand(request: HttpRequest, today: datetime.date) -> dict | None:
    """Of the associations the person leads or keeps the minutes of: protocols in draft, returned or on signature,
    and meetings held with no protocol yet (2 queries)."""
    mine = (
        Membership.objects.current(on=today)
        .filter(user=request.user, role__in=(Membership.Role.LEADER, Membership.Role.SECRETARY))
        .values("association")
    )
    protocols = (
        Protocol.objects.filter(association__in=mine, status__in=PROTOCOLS_IN_HAND)
        .select_related("association", "meeting")
        .order_by("meeting__starts_at", "pk")
    )
    without_protocol = (
        Meeting.objects.filter(association__in=mine, status=Meeting.Status.HELD, protocol__isnull=True)
        .select_related("association")
        .order_by("starts_at", "pk")
    )
    return {"protocols": list(protocols), "meetings_without_protocol": list(without_protocol), "today": today}


def register_panels() -> None:
    # The leader's page opens with her associations and what the regulation asks next; the meetings come after.
    for page, order in (("teacher", 10), ("secretary", 20), ("leader", 32)):
        register(
            page, key="coming_meetings", template="meetings/panels/coming_meetings.html", order=order,
            context=coming_meetings,
        )  # fmt: skip
        register(
            page, key="my_tasks", template="meetings/panels/my_tasks.html", order=order + 1, context=my_tasks
        )  # fmt: skip
    register(
        "methodist", key="protocols_to_review", template="meetings/panels/protocols_to_review.html",
        permission="meetings.review_any_protocol", order=25, context=protocols_to_review,
    )  # fmt: skip
    for page, order in (("secretary", 15), ("leader", 31)):
        register(
            page, key="protocols_in_hand", template="meetings/panels/protocols_in_hand.html",
            permission="meetings.protocol_start_page", order=order, context=protocols_in_hand,
        )  # fmt: skip
