"""What the teacher database puts on the start pages (rmo_portal.panels); registered in MembersConfig.ready().

Each context runs a fixed number of queries, however many rows it shows.
"""

import datetime

from django.http import HttpRequest

from rmo_portal.panels import register

from .extensions import confirmation_due
from .models import ChangeRequest, ProfileConfirmation, Teacher, academic_year_label, academic_year_of

OWN_PROFILE = "members.view_own_profile"


def review_waiting(request: HttpRequest, today: datetime.date) -> dict:
    """How many requests of the teachers she looks after wait for a reviewer (1 query)."""
    return {"waiting_count": ChangeRequest.objects.awaiting_review_by(request.user).count()}


def own_confirmation(request: HttpRequest, today: datetime.date) -> dict | None:
    """The yearly «Сведения актуальны», while it is not given for this academic year, with its date where her
    associations' regulation sets one (members.extensions.confirmation_due; 2 queries)."""
    year = academic_year_of(today)
    confirmed = ProfileConfirmation.objects.filter(
        teacher__user=request.user, academic_year=year, confirmed_at__isnull=False
    ).exists()
    if confirmed:
        return None
    due = confirmation_due(request.user, year)
    return {"academic_year_label": academic_year_label(year), "due": due, "overdue": due is not None and due < today}


def returned_requests(request: HttpRequest, today: datetime.date) -> dict | None:
    """Her requests that came back with a reviewer's comment and are not yet sent again (1 query)."""
    returned = list(
        ChangeRequest.objects.filter(teacher__user=request.user).returned_unanswered().select_related("decided_by")
    )
    return {"returned": returned} if returned else None


def pending_requests(request: HttpRequest, today: datetime.date) -> dict | None:
    """Her requests that wait for a reviewer (1 query)."""
    pending = list(
        ChangeRequest.objects.filter(teacher__user=request.user, status=ChangeRequest.Status.PENDING).order_by(
            "-created_at"
        )
    )
    return {"pending": pending} if pending else None


def own_profile(request: HttpRequest, today: datetime.date) -> dict:
    """The short card of her own profile (3 queries)."""
    teacher = Teacher.objects.filter(user=request.user).prefetch_related("employments__school", "subjects").first()
    return {"teacher": teacher}


def register_panels() -> None:
    register(
        ("methodist", "leader"), key="review_waiting", template="members/panels/review_waiting.html",
        permission="members.review_any", order=10, context=review_waiting,
    )  # fmt: skip
    # A teacher's own profile: first on her page and the secretary's, after the work of the leader's.
    for page, first in (("teacher", 10), ("secretary", 20), ("leader", 40)):
        register(
            page, key="own_confirmation", template="members/panels/own_confirmation.html",
            permission=OWN_PROFILE, order=first, context=own_confirmation,
        )  # fmt: skip
        register(
            page, key="returned_requests", template="members/panels/returned_requests.html",
            permission=OWN_PROFILE, order=first + 1, context=returned_requests,
        )  # fmt: skip
        register(
            page, key="pending_requests", template="members/panels/pending_requests.html",
            permission=OWN_PROFILE, order=first + 2, context=pending_requests,
        )  # fmt: skip
    register(
        ("teacher", "secretary"), key="own_profile", template="members/panels/own_profile.html",
        order=90, context=own_profile,
    )  # fmt: skip
