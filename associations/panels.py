"""What the associations put on the start pages (rmo_portal.panels); registered in AssociationsConfig.ready().

Each context runs a fixed number of queries, however many associations, members or orders it shows.
"""

import datetime

from django.db.models import Prefetch
from django.http import HttpRequest

from members.models import ProfileConfirmation, Role, School, Teacher, User, academic_year_label, academic_year_of
from rmo_portal.panels import register
from rmo_portal.search import Fold

from .models import Association, Membership, MembershipInvitation, Order

# A start page shows the first associations by name; the whole list is /associations/, paginated. A region of a
# thousand associations would otherwise make every visit to the home page render a thousand rows.
DISTRICT_PREVIEW = 50


def district(request: HttpRequest, today: datetime.date) -> dict:
    """The district in numbers and its first active associations with leaders and member counts (5 queries)."""
    active = Association.objects.active()
    return {
        "associations": list(active.select_related("regulation").with_people(on=today)[:DISTRICT_PREVIEW]),
        "association_count": active.count(),
        "teacher_count": Teacher.objects.count(),
        "school_count": School.objects.count(),
    }


def head_district(request: HttpRequest, today: datetime.date) -> dict:
    """The same for the district head, with curators and the number of methodists (7 queries)."""
    active = Association.objects.active()
    associations = active.select_related("regulation").with_people(on=today)[:DISTRICT_PREVIEW]
    return {
        "association_count": active.count(),
        "associations": list(associations.prefetch_related("curators")),
        "teacher_count": Teacher.objects.count(),
        "school_count": School.objects.count(),
        "methodist_count": User.objects.filter(role=Role.METHODIST).count(),
        "show_curators": True,
    }


def orders_to_sign(request: HttpRequest, today: datetime.date) -> dict:
    """Orders waiting for the head's signature, oldest first (1 query)."""
    orders = Order.objects.filter(status=Order.Status.AWAITING).select_related("drafted_by", "association")
    return {"orders": list(orders.order_by("created_at"))}


def orders_in_hand(request: HttpRequest, today: datetime.date) -> dict:
    """Her orders that wait for her: drafts and those the head returned (1 query)."""
    orders = Order.objects.filter(drafted_by=request.user, status__in=Order.EDITABLE).select_related("association")
    return {"orders": list(orders.order_by("-created_at"))}


def _curated(request: HttpRequest, today: datetime.date):
    return Association.objects.curated_by(request.user).active()


def curated(request: HttpRequest, today: datetime.date) -> dict:
    """The associations she curates, with leaders and counts, and how many teachers they hold (3 queries)."""
    mine = _curated(request, today)
    teachers = Membership.objects.current(on=today).filter(association__in=mine).values("user").distinct().count()
    return {"associations": list(mine.select_related("regulation").with_people(on=today)), "teacher_count": teachers}


def refresh_shares(request: HttpRequest, today: datetime.date) -> dict:
    """Per curated association, the share of members who confirmed their profile and were checked (2 queries)."""
    year = academic_year_of(today)
    associations = list(
        _curated(request, today)
        .select_related("regulation")
        .with_people(on=today)
        .with_refresh(academic_year=year, on=today)
    )
    for a in associations:
        a.refresh_deadline = a.regulation.teacher_database_deadline(year)
    return {"associations": associations, "academic_year_label": academic_year_label(year)}


def led_associations(request: HttpRequest, today: datetime.date) -> dict:
    """Her associations with their members: who has not confirmed the profile, who is not checked (8 queries)."""
    associations = list(
        Association.objects.led_by(request.user, on=today).select_related("regulation").prefetch_related("curators")
    )
    year = academic_year_of(today)
    members = (
        Membership.objects.current(on=today)
        .filter(association__in=associations)
        .select_related("user__teacher")
        .prefetch_related(
            "user__teacher__employments__school",
            "user__teacher__subjects",
            Prefetch(
                "user__teacher__confirmations",
                queryset=ProfileConfirmation.objects.filter(academic_year=year),
                to_attr="this_year",
            ),
        )
        .order_by(Fold("user__last_name"), Fold("user__first_name"))
    )
    by_association = {a.pk: [] for a in associations}
    for m in members:
        teacher = getattr(m.user, "teacher", None)
        m.confirmation = teacher.this_year[0] if teacher and teacher.this_year else None
        by_association[m.association_id].append(m)
    for a in associations:
        a.current_memberships = by_association[a.pk]
        a.unconfirmed = [m for m in a.current_memberships if not (m.confirmation and m.confirmation.confirmed_at)]
        a.unchecked = [m for m in a.current_memberships if not (m.confirmation and m.confirmation.checked_at)]
        a.refresh_deadline = a.regulation.teacher_database_deadline(year)
    return {"associations": associations, "academic_year_label": academic_year_label(year)}


def my_associations(request: HttpRequest, today: datetime.date) -> dict:
    """Her current memberships with each association's leaders (3 queries)."""
    memberships = list(
        Membership.objects.current(on=today)
        .filter(user=request.user)
        .select_related("association")
        .order_by("association__name", "role")
    )
    associations = Association.objects.filter(pk__in={m.association_id for m in memberships}).with_people(on=today)
    leaders = {a.pk: a.leaders for a in associations}
    for m in memberships:
        m.leaders = leaders.get(m.association_id, [])
    return {"memberships": memberships}


def invitations(request: HttpRequest, today: datetime.date) -> dict | None:
    """Open invitations into an association, to accept or decline (1 query)."""
    found = list(
        MembershipInvitation.objects.open()
        .filter(user=request.user, association__status=Association.Status.ACTIVE)
        .select_related("association", "invited_by")
    )
    return {"invitations": found} if found else None


def admin_counts(request: HttpRequest, today: datetime.date) -> dict:
    """Accounts, schools and associations in numbers (3 queries)."""
    return {
        "user_count": User.objects.count(),
        "school_count": School.objects.count(),
        "association_count": Association.objects.count(),
    }


def register_panels() -> None:
    register("home", key="district", template="associations/panels/district.html", order=10, context=district)
    register("admin", key="counts", template="associations/panels/admin_counts.html", order=10, context=admin_counts)
    register(
        "head", key="orders_to_sign", template="associations/panels/orders_to_sign.html",
        permission="associations.sign_any_order", order=10, context=orders_to_sign,
    )  # fmt: skip
    register("head", key="district", template="associations/panels/district.html", order=50, context=head_district)
    register(
        "methodist", key="orders_in_hand", template="associations/panels/orders_in_hand.html",
        permission="associations.draft_order", order=20, context=orders_in_hand,
    )  # fmt: skip
    register("methodist", key="curated", template="associations/panels/curated.html", order=30, context=curated)
    register(
        "methodist", key="refresh_shares", template="associations/panels/refresh_shares.html", order=40,
        context=refresh_shares,
    )  # fmt: skip
    register(
        "leader", key="led_associations", template="associations/panels/led_associations.html", order=20,
        context=led_associations,
    )  # fmt: skip
    for page, order in (("teacher", 5), ("secretary", 5), ("leader", 35)):
        register(
            page, key="invitations", template="associations/panels/invitations.html", order=order,
            context=invitations,
        )  # fmt: skip
    # The secretary's page starts with her associations; the teacher's with what she has to do.
    for page, order in (("secretary", 10), ("teacher", 50)):
        register(
            page, key="my_associations", template="associations/panels/my_associations.html", order=order,
            context=my_associations,
        )  # fmt: skip
