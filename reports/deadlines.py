"""The deadline engine (issue 12): a regulation's rules become an association's obligations, fulfilled by what
happens in the portal, with reminders before, on and after the due date and escalation up the line.

A module of its own beside services.py (which holds the documents' workflow and is long enough): the same rules
apply here (STYLE.md §3): keyword-only, atomic, named `<thing>_<verb>`.

- `obligations_sync()` turns the regulation's requirements for a year into Obligation rows (open ones are updated,
  fulfilled and waived ones never touched; rules that no longer apply and dissolved associations waive theirs).
- `obligation_fulfilment()` says whether and when an obligation was fulfilled, from the portal's rows.
- `deadlines_sweep()` runs both for every active association, moves the states, and creates the Reminder rows of
  the steps that fell due; the unique constraint on (obligation, step, recipient) makes each letter go once.
- `obligation_waive()`: a methodist takes an obligation off with a reason.
"""

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from associations.models import Association, Document, Membership
from meetings.models import Meeting, Protocol
from members.models import ProfileConfirmation, Role, User
from rmo_portal import calendar, workflow
from rmo_portal.models import StatusChange
from rmo_portal.notifications import notify
from rmo_portal.permissions import allowed
from rmo_portal.text import count_ru, date_ru

from .models import Filing, Obligation, Reminder

SYSTEM = None  # transitions made by the sweep have no person behind them
FILED = {Filing.Status.SUBMITTED, Filing.Status.ACCEPTED, Filing.Status.PUBLISHED}
STEP_ORDER = ("before", "due", "after", "methodist", "head")
STEP_LABELS = {
    "flag": "обязанности руководителя не выполняются несколько месяцев подряд",
    "due": "срок сегодня",
    "after": "срок прошёл",
    "methodist": "сообщение методисту",
    "head": "сообщение начальнику",
}


class ObligationError(workflow.TransitionRefused):
    """A refused move of an obligation (the deadline engine's domain error), with a Russian message."""


# --- keys --------------------------------------------------------------------------------------------------------


def rule_key(rule) -> str:
    """«associations.meetingrule:5»: the rule's model label and pk."""
    return f"{rule._meta.label_lower}:{rule.pk}"


def period_key(requirement: calendar.Requirement) -> str:
    """«2026-half_year-1» for meetings, «2026-q3» for quarterly documents, «2026» for a year's."""
    period = requirement.period
    if requirement.kind == "meeting" and period is not None:
        return f"{requirement.for_year}-{period.kind}-{period.number}"
    if period is not None and period.kind == calendar.PeriodKind.QUARTER:
        return f"{requirement.for_year}-q{period.number}"
    return str(requirement.for_year)


# --- what the sweep reads, in a fixed number of queries -------------------------------------------------------------


@dataclass
class Facts:
    """Everything the portal knows that fulfils obligations, for a set of associations, read once."""

    today: datetime.date
    held: dict[int, list[Meeting]] = field(default_factory=lambda: defaultdict(list))
    protocols: dict[int, Protocol] = field(default_factory=dict)  # by meeting id
    filings: dict[tuple, Filing] = field(default_factory=dict)  # by (association, kind, year, quarter)
    # When each work plan first left its draft (to the members' discussion or to the methodist): the plan draft.
    left_draft: dict[int, datetime.datetime] = field(default_factory=dict)
    members: dict[int, int] = field(default_factory=dict)  # current members per association
    confirmations: dict[int, list[datetime.datetime]] = field(default_factory=lambda: defaultdict(list))
    # Each teacher owns her own profile: the members asked to confirm it, and who did (user, year).
    member_users: dict[int, list[User]] = field(default_factory=lambda: defaultdict(list))
    confirmed_users: set[tuple[int, int]] = field(default_factory=set)
    leaders: dict[int, User] = field(default_factory=dict)
    secretaries: dict[int, User] = field(default_factory=dict)
    curators: dict[int, list[User]] = field(default_factory=lambda: defaultdict(list))
    heads: list[User] = field(default_factory=list)


def facts_load(*, association_ids: list[int], years: list[int], today: datetime.date) -> Facts:
    """The held meetings, protocols, filings, profile confirmations and people of these associations (8 queries)."""
    facts = Facts(today=today)
    meetings = Meeting.objects.filter(
        association__in=association_ids, status=Meeting.Status.HELD, academic_year__in=years
    ).order_by("starts_at", "pk")
    for meeting in meetings:
        facts.held[meeting.association_id].append(meeting)
    for protocol in Protocol.objects.filter(association__in=association_ids, academic_year__in=years):
        facts.protocols[protocol.meeting_id] = protocol
    filing_years = [*years, max(years) + 1]
    for filing in Filing.objects.filter(association__in=association_ids, academic_year__in=filing_years).defer(
        "body", "sources", "search_text"
    ):
        facts.filings[(filing.association_id, filing.kind, filing.academic_year, filing.quarter)] = filing
    plans = [f.pk for f in facts.filings.values() if f.kind == Document.WORK_PLAN]
    moves = StatusChange.objects.filter(
        content_type=ContentType.objects.get_for_model(Filing), object_id__in=plans, from_status=Filing.Status.DRAFT
    ).order_by("at", "pk")
    for object_id, at in moves.values_list("object_id", "at"):
        facts.left_draft.setdefault(object_id, at)
    current = Membership.objects.current(on=today).filter(association__in=association_ids)
    for row in current.order_by().values("association").annotate(n=Count("user", distinct=True)):
        facts.members[row["association"]] = row["n"]
    confirmed = ProfileConfirmation.objects.filter(
        academic_year__in=years, confirmed_at__isnull=False, teacher__user__in=current.values("user")
    ).values_list("academic_year", "confirmed_at", "teacher__user")
    member_of = defaultdict(set)
    users = {}
    for membership in current.select_related("user").order_by("association", "user__sort_key", "user"):
        if membership.user_id not in member_of:
            users[membership.user_id] = membership.user
        if membership.association_id not in member_of[membership.user_id]:
            member_of[membership.user_id].add(membership.association_id)
            facts.member_users[membership.association_id].append(users[membership.user_id])
    for year, confirmed_at, user_id in confirmed:
        facts.confirmed_users.add((user_id, year))
        for association_id in member_of[user_id]:
            facts.confirmations[(association_id, year)].append(confirmed_at)
    roles = current.filter(role__in=[Membership.Role.LEADER, Membership.Role.SECRETARY]).select_related("user")
    for membership in roles.order_by("start_date", "pk"):
        target = facts.leaders if membership.role == Membership.Role.LEADER else facts.secretaries
        target.setdefault(membership.association_id, membership.user)
    through = Association.curators.through.objects.filter(association__in=association_ids).select_related("user")
    for row in through.order_by("user_id"):
        if row.user.is_active:
            facts.curators[row.association_id].append(row.user)
    facts.heads = list(User.objects.filter(role=Role.DISTRICT_HEAD, is_active=True).order_by("pk"))
    return facts


# --- obligations from the regulation -------------------------------------------------------------------------------


def _expected(association: Association, academic_year: int, facts: Facts) -> dict[tuple[str, str], dict]:
    """The obligations the regulation gives this association for the year: {(rule_key, period_key): fields}."""
    regulation = association.regulation
    found: dict[tuple[str, str], dict] = {}
    leader = facts.leaders.get(association.pk)
    curators = facts.curators.get(association.pk, [])
    common = {"owner": leader, "reviewer": curators[0] if curators else None}
    requirements = regulation.requirements(academic_year) + regulation.requirements_covering(academic_year)
    # An association created by an order owes nothing due before it existed (a term that ended before it).
    since = association.created_by_order.effective_date if association.created_by_order_id else None
    for r in requirements:
        if since is not None and r.due < since:
            continue
        key = (rule_key(r.rule), period_key(r))
        fields = {
            **common, "kind": r.kind, "what": r.what, "academic_year": r.for_year, "due": r.due,
            "starts_on": r.starts_on, "escalates": r.escalates, "assumed": r.assumed, "document": "", "quarter": 0,
            "target": 1, "meeting": None,
        }  # fmt: skip
        if r.kind == "meeting":
            fields.update(starts_on=r.period.starts_on, target=r.rule.min_count, what=f"{r.what} ({r.period.label})")
        elif r.kind in ("document", "publication"):
            quarter = r.period.number if r.period is not None and r.period.kind == calendar.PeriodKind.QUARTER else 0
            fields.update(document=r.rule.document, quarter=quarter)
            if r.kind == "document":
                fields["what"] = f"{r.what}: {calendar.academic_year_label(r.for_year)}" if not quarter else r.what
        elif r.kind == "database":
            fields.update(target=regulation.teacher_database_share)
        found[key] = fields
    protocol_rule = getattr(regulation, "protocol_rule", None)
    if protocol_rule is not None and protocol_rule.days_after_meeting:
        owner = facts.secretaries.get(association.pk) if protocol_rule.kept_by_secretary else None
        for meeting in facts.held.get(association.pk, []):
            if meeting.academic_year != academic_year:
                continue
            key = (rule_key(protocol_rule), f"meeting-{meeting.pk}")
            found[key] = {
                **common, "owner": owner or leader, "kind": "protocol", "academic_year": academic_year,
                "what": f"протокол заседания {date_ru(meeting.day)}",
                "due": calendar.days_after(meeting.day, protocol_rule.days_after_meeting),
                "starts_on": meeting.day, "escalates": True, "assumed": False, "document": "", "quarter": 0,
                "target": 1, "meeting": meeting,
            }  # fmt: skip
    return found


def _differs(obligation: Obligation, name: str, value) -> bool:
    """Whether a field would change; people are compared by id (reading `obligation.owner` is a query each)."""
    if name in PEOPLE:
        return getattr(obligation, f"{name}_id") != (value.pk if value is not None else None)
    return getattr(obligation, name) != value


PEOPLE = ("owner", "reviewer")
UPDATABLE = ("what", "due", "starts_on", "escalates", "assumed", "owner", "reviewer", "target", "document", "quarter")


def _sync(association: Association, academic_year: int, facts: Facts, existing: "Existing") -> tuple[int, list, int]:
    """Create the missing obligations of a year, update the open ones, waive the open ones no rule gives now."""
    expected = _expected(association, academic_year, facts)
    missing = [
        Obligation(association=association, rule_key=rk, period_key=pk, **fields)
        for (rk, pk), fields in expected.items()
        if (association.pk, rk, pk) not in existing
    ]
    # A concurrent sweep may have created some: theirs win, ours are ignored (the unique constraint).
    Obligation.objects.bulk_create(missing, ignore_conflicts=True)
    changed = []
    for (rk, pk), fields in expected.items():
        obligation = existing.get((association.pk, rk, pk))
        if obligation is None or not obligation.is_open:
            continue
        dirty = [name for name in UPDATABLE if _differs(obligation, name, fields[name])]
        for name in dirty:
            setattr(obligation, name, fields[name])
        if dirty:
            changed.append(obligation)
    if changed:
        Obligation.objects.bulk_update(changed, UPDATABLE)
    # Open obligations of this year's dates that no rule gives any more (the regulation was edited or changed).
    starts_on, ends_on = calendar.year_bounds(academic_year)
    waived = 0
    for (rk, pk), obligation in _of_association(existing, association.pk):
        if not obligation.is_open or (rk, pk) in expected:
            continue
        if obligation.kind == Obligation.Kind.PROTOCOL:
            stale = obligation.academic_year == academic_year
        else:
            stale = starts_on <= obligation.due <= ends_on
        if stale:
            _waive(obligation, by=SYSTEM, reason="Правило положения больше не действует для объединения.")
            waived += 1
    return len(missing), changed, waived


@transaction.atomic
def obligations_sync(*, association: Association, academic_year: int, today: datetime.date) -> int:
    """Bring the association's obligations of a year in line with its regulation; returns how many were created.

    Fulfilled and waived obligations are never touched. A dissolved association's open obligations are waived by
    the system (kept, with their history and the reminders sent), not deleted.
    """
    existing = _existing([association.pk])
    if association.status != Association.Status.ACTIVE:
        for obligation in existing.values():
            if obligation.is_open:
                _waive(obligation, by=SYSTEM, reason="Объединение упразднено.")
        return 0
    facts = facts_load(association_ids=[association.pk], years=[academic_year - 1, academic_year], today=today)
    created, _changed, _waived = _sync(association, academic_year, facts, existing)
    return created


class Existing(dict):
    """The obligations read for a sweep, by (association, rule_key, period_key), with an index by association (a
    loop over all of them for each association would be quadratic in the district's size)."""

    def __init__(self, rows):
        super().__init__(((o.association_id, o.rule_key, o.period_key), o) for o in rows)
        self.by_association: dict[int, list] = defaultdict(list)
        for (a_id, rk, pk), obligation in self.items():
            self.by_association[a_id].append(((rk, pk), obligation))


def _of_association(existing: Existing, association_id: int) -> list:
    return existing.by_association.get(association_id, [])


def _existing(association_ids: list[int], *, since_year: int | None = None) -> Existing:
    """The associations' obligations, locked in a fixed order: the open ones and, from `since_year`, the closed
    ones too (earlier years' closed rows never change, so a sweep does not read the district's whole history)."""
    rows = Obligation.objects.filter(association__in=association_ids)
    if since_year is not None:
        rows = rows.filter(Q(status__in=Obligation.OPEN) | Q(academic_year__gte=since_year))
    return Existing(rows.order_by("pk").select_for_update())


# --- fulfilment ----------------------------------------------------------------------------------------------------


def _local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment)


def obligation_fulfilment(obligation: Obligation, facts: Facts) -> datetime.datetime | None:
    """When the portal's rows fulfilled the obligation (None: not yet). Never a tick: only what happened.

    - meeting: the held meetings in the period reach the rule's minimum (the moment of the one that did);
    - protocol: the meeting's protocol is signed by all (Protocol.FINAL; signed_at);
    - document: the Filing of that kind, year and quarter is submitted (submitted is enough for now, even where
      the regulation also asks for acceptance); the plan draft (seed 004 §6.12) is the year's work plan leaving
      its draft, to the members' discussion or to the methodist;
    - publication: the Filing is published (published_at; late if after the window's last day);
    - database: the regulation's share of the association's current members confirmed their profile for the year
      (the moment of the confirmation that reached the share).
    """
    kind = obligation.kind
    association_id = obligation.association_id
    if kind == Obligation.Kind.MEETING:
        in_period = [m for m in facts.held.get(association_id, []) if obligation.starts_on <= m.day <= obligation.due]
        return in_period[obligation.target - 1].starts_at if len(in_period) >= obligation.target else None
    if kind == Obligation.Kind.PROTOCOL:
        protocol = facts.protocols.get(obligation.meeting_id)
        if protocol is not None and protocol.status in Protocol.FINAL and protocol.signed_at:
            return protocol.signed_at
        return None
    if kind == Obligation.Kind.DOCUMENT and obligation.document == Document.PLAN_DRAFT:
        plan = facts.filings.get((association_id, Document.WORK_PLAN, obligation.academic_year, 0))
        return facts.left_draft.get(plan.pk) if plan is not None else None
    if kind in (Obligation.Kind.DOCUMENT, Obligation.Kind.PUBLICATION):
        key = (association_id, obligation.document, obligation.academic_year, obligation.quarter)
        filing = facts.filings.get(key)
        if filing is None:
            return None
        if kind == Obligation.Kind.DOCUMENT:
            return filing.submitted_at if filing.status in FILED and filing.submitted_at else None
        return filing.published_at if filing.status == Filing.Status.PUBLISHED and filing.published_at else None
    if kind == Obligation.Kind.DATABASE:
        members = facts.members.get(association_id, 0)
        moments = sorted(facts.confirmations.get((association_id, obligation.academic_year), []))
        needed = math.ceil(members * obligation.target / 100)
        if members and len(moments) >= needed:
            return moments[needed - 1]
        return None
    return None


def open_status(obligation: Obligation, *, today: datetime.date, soon_days: int) -> str:
    """Upcoming, due soon (within the largest reminder offset) or overdue (the due day has ended). Compares with <=."""
    if obligation.due < today:
        return Obligation.Status.OVERDUE
    if obligation.due - datetime.timedelta(days=soon_days) <= today:
        return Obligation.Status.DUE_SOON
    return Obligation.Status.UPCOMING


# --- reminders -----------------------------------------------------------------------------------------------------


def steps_of(obligation: Obligation, regulation) -> list[tuple[str, datetime.date]]:
    """The reminder steps of an obligation and the day each falls due, in order: the offsets before the date, the
    day itself, the day after, and (only for obligations that escalate) the methodist's and the head's days.

    An offset whose day came before the obligation existed is left out: a protocol due 3 days after its meeting
    gets «за 1 день», not «за 7 дней».
    """
    created_on = timezone.localdate(obligation.created_at) if obligation.created_at else None
    steps = [
        (f"before_{n}", day)
        for n in regulation.reminder_offsets
        if created_on is None or (day := obligation.due - datetime.timedelta(days=n)) >= created_on
    ]
    steps += [("due", obligation.due), ("after", obligation.due + datetime.timedelta(days=1))]
    if obligation.escalates:
        steps.append(("methodist", obligation.due + datetime.timedelta(days=regulation.escalate_to_methodist_after)))
        steps.append(("head", obligation.due + datetime.timedelta(days=regulation.escalate_to_head_after)))
    return steps


def latest_step(obligation: Obligation, regulation, *, today: datetime.date) -> tuple[int, str] | None:
    """The latest step that fell due by `today` (<=, so a missed day is caught up), with its rank; None if none."""
    fallen = [(rank, step) for rank, (step, day) in enumerate(steps_of(obligation, regulation)) if day <= today]
    return fallen[-1] if fallen else None


def recipients_of(obligation: Obligation, step: str, facts: Facts) -> list[User]:
    """Who hears at a step: the owner before, on and after the date (for the database refresh also each member who
    has not confirmed her own profile for the year); the curators and the heads at their escalation steps."""
    if step == "methodist":
        return list(facts.curators.get(obligation.association_id, []))
    if step == "head":
        return list(facts.heads)
    people = [obligation.owner] if obligation.owner is not None and obligation.owner.is_active else []
    if obligation.kind == Obligation.Kind.DATABASE:
        people += [
            u for u in facts.member_users.get(obligation.association_id, [])
            if u.is_active and (u.pk, obligation.academic_year) not in facts.confirmed_users
            and u.pk != obligation.owner_id
        ]  # fmt: skip
    return people


def confirmation_due(user: User, academic_year: int) -> datetime.date | None:
    """By when the user must confirm her profile: the earliest database refresh of her associations that is not
    waived (members.extensions.register_confirmation_due; 1 query)."""
    from django.db.models import Min

    mine = Membership.objects.current(on=calendar.today()).filter(user=user).values("association")
    found = Obligation.objects.filter(
        kind=Obligation.Kind.DATABASE, academic_year=academic_year, association__in=mine
    ).exclude(status=Obligation.Status.WAIVED)
    return found.aggregate(day=Min("due"))["day"]


def reminder_create(*, obligation: Obligation, step: str, recipient: User) -> Reminder | None:
    """Create the reminder once; None when it exists (also when a concurrent sweep inserted it first).

    Its notification is made after the commit (reminder_send), so a rolled-back sweep sends nothing.
    """
    try:
        with transaction.atomic():  # a savepoint: the IntegrityError leaves the sweep's transaction usable
            reminder = Reminder.objects.create(obligation=obligation, step=step, recipient=recipient)
    except IntegrityError:
        return None
    from .tasks import send_reminder

    # robust: a broker that refuses one message must not cancel the others (the next sweep queues it again).
    transaction.on_commit(lambda: send_reminder.delay(reminder.pk), robust=True)
    return reminder


# --- state changes -------------------------------------------------------------------------------------------------


def _waive(obligation: Obligation, *, by, reason: str) -> None:
    workflow.transition(
        obligation, Obligation.Status.WAIVED, by=by, comment=reason, error=ObligationError,
        extra_fields={"waived_reason": reason},
    )  # fmt: skip


@transaction.atomic
def obligation_waive(*, obligation: Obligation, by: User, reason: str) -> Obligation:
    """A methodist takes an open obligation off, with a reason: a state change in its history. Checks the right
    (the association's curator or an administrator), a reason, and that the obligation is still open."""
    if not allowed(by, "reports.waive_obligation", obligation):
        raise ObligationError("Снять обязательство может курирующий методист.")
    if not reason.strip():
        raise ObligationError("Укажите, почему обязательство снимается.")
    obligation = Obligation.objects.select_for_update().get(pk=obligation.pk)
    if not obligation.is_open:
        raise ObligationError("Обязательство уже выполнено или снято.")
    _waive(obligation, by=by, reason=reason.strip())
    return obligation


def _fulfil(obligation: Obligation, moment: datetime.datetime) -> str:
    on_time = _local_day(moment) <= obligation.due
    to = Obligation.Status.FULFILLED_ON_TIME if on_time else Obligation.Status.FULFILLED_LATE
    workflow.transition(obligation, to, by=SYSTEM, error=ObligationError, extra_fields={"fulfilled_at": moment})
    return to


# --- the sweep -----------------------------------------------------------------------------------------------------


def _years(today: datetime.date) -> list[int]:
    """The academic year of today; its requirements include the documents of the next year due in it."""
    return [calendar.academic_year_of(today)]


@transaction.atomic
def deadlines_sweep(
    *, today: datetime.date | None = None, association_ids: list[int] | None = None, remind: bool = True
) -> dict:
    """The daily sweep (Celery beat and `manage.py sweep_deadlines`), idempotent for a day.

    Syncs every active association's obligations for the current academic year, waives a dissolved one's open
    obligations, marks fulfilled ones from the portal's rows, moves open ones to due soon or overdue, and creates
    for each open obligation the reminder of the latest step that fell due, unless it or a later one exists (so a
    sweep after days of downtime sends one letter per obligation, not every missed one). The rows it reads are
    locked (select_for_update) so that two sweeps at once do not move the same obligation twice; the reminders'
    unique constraint keeps each letter to one. Returns a summary of what it did.

    `association_ids` limits it to some associations and `remind=False` moves states without reminders: that is
    the recomputation after a change announced on rmo_portal.changes («associations»), between the daily sweeps.
    """
    today = today or calendar.today()
    _one_sweep_at_a_time()
    summary = {"created": 0, "fulfilled": 0, "overdue": 0, "waived": 0, "reminders": defaultdict(int)}
    years = _years(today)
    scope = Association.objects.all() if association_ids is None else Association.objects.filter(pk__in=association_ids)
    associations = list(
        scope.filter(status=Association.Status.ACTIVE)
        .select_related("regulation__protocol_rule", "created_by_order")
        .prefetch_related("regulation__meeting_rules", "regulation__document_rules", "regulation__publication_windows")
        .order_by("pk")
    )
    ids = [a.pk for a in associations]
    dissolved = Obligation.objects.open().filter(
        association__in=scope, association__status=Association.Status.DISSOLVED
    )
    for obligation in dissolved:
        _waive(obligation, by=SYSTEM, reason="Объединение упразднено.")
        summary["waived"] += 1
    facts = facts_load(association_ids=ids, years=[min(years) - 1, *years], today=today)
    existing = _existing(ids, since_year=min(years) - 1)
    for association in associations:
        for year in years:
            created, _changed, waived = _sync(association, year, facts, existing)
            summary["created"] += created
            summary["waived"] += waived
    by_pk = {a.pk: a for a in associations}
    open_obligations = list(
        Obligation.objects.open()
        .filter(association__in=ids)
        .select_related("owner")
        .order_by("pk")
        .select_for_update(of=("self",))
    )
    ranks: dict[int, set[str]] = {}
    for obligation_id, step in Reminder.objects.filter(obligation__in=open_obligations).values_list(
        "obligation", "step"
    ):
        ranks.setdefault(obligation_id, set()).add(step)
    for obligation in open_obligations:
        regulation = by_pk[obligation.association_id].regulation
        moment = obligation_fulfilment(obligation, facts)
        if moment is not None:
            _fulfil(obligation, moment)
            summary["fulfilled"] += 1
            continue
        soon = max(regulation.reminder_offsets, default=0)
        status = open_status(obligation, today=today, soon_days=soon)
        if status != obligation.status:
            workflow.transition(obligation, status, by=SYSTEM, error=ObligationError)
            if status == Obligation.Status.OVERDUE:
                summary["overdue"] += 1
        latest = latest_step(obligation, regulation, today=today) if remind else None
        if latest is None:
            continue
        rank, step = latest
        steps = [name for name, _day in steps_of(obligation, regulation)]
        sent = [steps.index(s) for s in ranks.get(obligation.pk, ()) if s in steps]
        if sent and max(sent) >= rank:
            continue
        for recipient in recipients_of(obligation, step, facts):
            if reminder_create(obligation=obligation, step=step, recipient=recipient) is not None:
                summary["reminders"][step] += 1
    if remind:
        for step, count in flags_send(today=today, facts=facts, association_ids=association_ids).items():
            summary["reminders"][step] += count
        reminders_requeue(association_ids=association_ids)
    summary["reminders"] = dict(summary["reminders"])
    return summary


SWEEP_LOCK = 0x52_4D_4F_12  # «RMO», issue 12: the advisory lock's key


def _one_sweep_at_a_time() -> None:
    """On PostgreSQL, a transaction-level advisory lock: a second sweep (beat fired twice, a recomputation after an
    edit, a sweep by hand) waits until the first commits and then finds its work done. The row locks and the
    reminders' unique constraint stay as the guards; this makes the counts honest and rules out deadlocks between
    sweeps that lock the same rows in different orders. SQLite serialises writers by itself."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SWEEP_LOCK])


REQUEUE_AFTER = datetime.timedelta(minutes=30)


def reminders_requeue(*, association_ids: list[int] | None = None) -> int:
    """Queue again the reminders whose letter task was lost (a broker that refused it, a worker that died, retries
    exhausted): made more than REQUEUE_AFTER ago and still unsent. Sending re-checks under a lock, so a reminder
    whose first task is merely slow is still sent once. Returns how many were queued."""
    from .tasks import send_reminder

    stale = Reminder.objects.filter(sent_at__isnull=True, created_at__lt=timezone.now() - REQUEUE_AFTER)
    if association_ids is not None:
        stale = stale.filter(obligation__association__in=association_ids)
    pks = list(stale.values_list("pk", flat=True))
    for pk in pks:
        transaction.on_commit(lambda pk=pk: send_reminder.delay(pk), robust=True)
    return len(pks)


def flags_send(*, today: datetime.date, facts: Facts, association_ids: list[int] | None) -> dict[str, int]:
    """Seed 004 §6.2: a leader whose association was overdue N months in a row (the regulation's
    `leader_replace_after_months`; reports.dashboards.leaders_flagged) is reported to its curators and the district
    head once for a stretch: not again within N months, and never twice for the same earliest overdue obligation (the
    «flag» reminder is tied to it; the unique constraint guards a race)."""
    from .dashboards import leaders_flagged, month_starts

    sent = defaultdict(int)
    flags = [f for f in leaders_flagged(today=today) if association_ids is None or f.association.pk in association_ids]
    longest = max((f.months for f in flags), default=0)
    since = month_starts(today, longest)[0] if longest else today
    told = set(  # one query: who heard of a flag of the association within its window
        Reminder.objects.filter(
            step="flag", obligation__association__in=[f.association for f in flags],
            created_at__date__gte=since - datetime.timedelta(days=1),
        ).values_list("obligation__association", "recipient", "created_at")
    )  # fmt: skip
    for flag in flags:
        first = flag.obligations[0]
        window = month_starts(today, flag.months)[0]
        heard = {r for a, r, at in told if a == flag.association.pk and timezone.localdate(at) >= window}
        for recipient in [*facts.curators.get(flag.association.pk, []), *facts.heads]:
            if recipient.pk in heard:
                continue
            if reminder_create(obligation=first, step="flag", recipient=recipient) is not None:
                sent["flag"] += 1
    return dict(sent)


def summary_text(summary: dict) -> str:
    """The sweep's summary in Russian, for the management command and the log."""
    lines = [
        f"Создано обязательств: {summary['created']}",
        f"Выполнено: {summary['fulfilled']}",
        f"Просрочено сегодня: {summary['overdue']}",
        f"Снято (объединение упразднено или правило отменено): {summary['waived']}",
    ]
    reminders = summary.get("reminders", {})
    total = sum(reminders.values())
    lines.append(f"Напоминаний: {total}")
    for step, count in sorted(reminders.items()):
        lines.append(f"  — {step_label(step)}: {count}")
    return "\n".join(lines)


def step_label(step: str) -> str:
    """«за 7 дн. до срока», «срок сегодня», «сообщение методисту»."""
    if step.startswith("before_"):
        return f"за {step.removeprefix('before_')} дн. до срока"
    return STEP_LABELS.get(step, step)


# --- the letters -------------------------------------------------------------------------------------------------


def reminder_send(*, reminder_id: int) -> bool:
    """Turn one reminder into a notification (rmo_portal.notifications, which mails it or holds it for the digest
    and records a failed letter) and mark it sent; False if it was already. Re-checked under a row lock, so that a
    task delivered twice makes one notification. The «methodist» and «head» steps are escalations; the head gets
    hers only in the daily digest."""
    from django.urls import reverse

    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(of=("self",))
            .select_related("obligation__association__regulation", "recipient")
            .get(pk=reminder_id)
        )
        if reminder.sent_at is not None or reminder.notification_id is not None:
            return False
        obligation = reminder.obligation
        if reminder.step != "flag" and not obligation.is_open:  # fulfilled or waived since: nothing to remind of
            reminder.sent_at = timezone.now()
            reminder.save(update_fields=["sent_at"])
            return False
        escalation = reminder.step in ("methodist", "head", "flag")
        own_profile = (
            obligation.kind == Obligation.Kind.DATABASE and not escalation
            and reminder.recipient_id != obligation.owner_id
        )  # fmt: skip
        if own_profile:  # a member about her own profile: what she does, where she does it
            link = reverse("members:me")
            subject = f"{step_label(reminder.step).capitalize()}: подтвердите сведения своего профиля"
            text = (
                f"{obligation.association} обновляет базу педагогов {obligation.due_label}. Проверьте сведения "
                "своего профиля (место работы, категория, курсы, достижения) и нажмите «Сведения актуальны»."
            )
        elif reminder.step == "flag":
            link = reverse("reports:deadlines") + "?" + urlencode({"q": obligation.association.name})
            months = count_ru(
                obligation.association.regulation.leader_replace_after_months or 0, ("месяц", "месяца", "месяцев")
            )
            subject = f"Руководитель не выполняет обязанности {months} подряд: {obligation.association}"
            text = (
                f"У объединения «{obligation.association}» обязательства просрочены в каждом из последних {months} "
                "подряд: положение позволяет заменить руководителя за систематическое невыполнение обязанностей. "
                f"Первое из них: {obligation.what}, {obligation.due_label}. На странице «Сроки» — все просрочки "
                "и проект приказа о замене руководителя."
            )
        else:
            link = obligation_link(obligation, reverse=reverse)
            subject = f"{step_label(reminder.step).capitalize()}: {obligation.what} — {obligation.association}"
            text = (
                f"{obligation.association}: {obligation.what}, {obligation.due_label}.\n"
                f"Состояние: {obligation.get_status_display()}."
            )
        made = notify(
            recipients=[reminder.recipient],
            subject=subject,
            text=text,
            link=link,
            kind="escalation" if escalation else "reminder",
            digest_only=reminder.step == "head"
            or (reminder.step == "flag" and reminder.recipient.role == Role.DISTRICT_HEAD),
        )
        reminder.sent_at, reminder.notification = timezone.now(), made[0] if made else None
        reminder.save(update_fields=["sent_at", "notification"])
    return True


def obligation_link(obligation: Obligation, *, reverse) -> str:
    """Where the obligation is fulfilled: the meeting schedule, the documents page, or the meeting's page."""
    if obligation.kind == Obligation.Kind.PROTOCOL and obligation.meeting_id:
        return reverse("meetings:detail", args=[obligation.meeting_id])
    year = obligation.academic_year
    if obligation.kind == Obligation.Kind.MEETING:
        return reverse("meetings:schedule", args=[obligation.association_id, year])
    if obligation.kind == Obligation.Kind.DATABASE:
        return reverse("associations:detail", args=[obligation.association_id])
    return reverse("reports:documents", args=[obligation.association_id, year])


def obligations_recompute(*, ids: list[int]) -> None:
    """The listener of rmo_portal.changes «associations» (registered in ReportsConfig.ready()): recompute those
    associations' obligations in the background, states and the day's reminders included (exactly once all the
    same: the morning's sweep finds them made)."""
    from .tasks import recompute_obligations

    recompute_obligations.delay(list(ids))


def deadline_feed_items(user: User, *, today: datetime.date, start: datetime.date, end: datetime.date) -> list:
    """The person's deadlines for her calendar feed (meetings.feeds.register_feed_source; 2 queries): what she owns
    (not waived), and the yearly confirmation of her own profile while she has not given it."""
    from django.db.models import Exists, Min
    from django.urls import reverse

    from meetings.feeds import FeedItem

    items = []
    owned = (
        Obligation.objects.filter(owner=user, due__gte=start, due__lte=end)
        .exclude(status=Obligation.Status.WAIVED)
        .select_related("association")
    )
    for obligation in owned:
        items.append(
            FeedItem(
                key=f"obligation-{obligation.pk}", day=obligation.due,
                summary=f"Срок: {obligation.what} — {obligation.association}",
                description=f"{obligation.association}: {obligation.what}, {obligation.due_label}. "
                f"Состояние: {obligation.get_status_display().lower()}.",
                path=obligation_link(obligation, reverse=reverse),
            )
        )  # fmt: skip
    year = calendar.academic_year_of(today)
    # One query: the earliest refresh of her associations, unless she confirmed (an uncorrelated EXISTS).
    confirmed = ProfileConfirmation.objects.filter(teacher__user=user, academic_year=year, confirmed_at__isnull=False)
    refresh = (
        Obligation.objects.filter(
            kind=Obligation.Kind.DATABASE, academic_year=year, due__gte=start, due__lte=end,
            association__in=Membership.objects.current(on=today).filter(user=user).values("association"),
        )
        .exclude(status=Obligation.Status.WAIVED)
        .exclude(Exists(confirmed))
        .aggregate(day=Min("due"))["day"]
    )  # fmt: skip
    if refresh is not None:
        items.append(
            FeedItem(
                key=f"profile-{user.pk}-{year}", day=refresh, summary="Срок: подтвердить сведения своего профиля",
                description=f"Подтвердите, что сведения вашего профиля актуальны на "
                f"{calendar.academic_year_label(year)} учебный год.",
                path=reverse("members:me"),
            )
        )  # fmt: skip
    return items
