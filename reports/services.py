"""What happens to an association's documents: created pre-filled, edited without losing anyone's text, discussed
and voted on by the members, submitted as kept versions, returned or accepted by the methodist, published in the
regulation's window. Each function checks, writes in one transaction and raises `FilingError` when refused."""

import datetime
import difflib
import hashlib
import html

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from associations.models import Association, DocumentRule, Membership, PublicationWindow
from associations.models import Document as Kind
from meetings.models import Event, EventParticipant, Meeting, Protocol
from members.models import Achievement, Teacher, TrainingCourse, User
from rmo_portal import calendar, richtext, workflow
from rmo_portal.notifications import notify
from rmo_portal.text import count_ru, date_ru

from .models import PRIVATE_SECTIONS, SECTIONS, Filing, FilingComment, FilingVersion, Mentorship, PlanItem, Vote


class FilingError(workflow.TransitionRefused):
    """A change the rules do not allow; the message is for the user, beside `field` of the form when it names one."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


def _move(filing: Filing, to: str, *, by: User | None, comment: str = "", fields: tuple[str, ...] = ()) -> str:
    """The one place a document's status changes: the workflow kernel checks, saves, records and notifies."""
    return workflow.transition(
        filing, to, by=by, comment=comment, error=FilingError, save_fields=("updated_at", *fields)
    )


# --- what an association owes ------------------------------------------------------------------------------


def _rule(association: Association, kind: str) -> DocumentRule | None:
    if association.regulation_id is None:
        return None
    wanted = [kind, Kind.PLAN_DRAFT] if kind == Kind.WORK_PLAN else [kind]
    rules = {
        r.document: r for r in DocumentRule.objects.filter(regulation_id=association.regulation_id, document__in=wanted)
    }
    return rules.get(kind) or rules.get(Kind.PLAN_DRAFT)


def discussion_required(association: Association, kind: str) -> bool:
    """The regulation asks the members to discuss and vote before the document is submitted (seed 004)."""
    if association.regulation_id is None:
        return False
    return DocumentRule.objects.filter(
        regulation_id=association.regulation_id, document__in=[kind, Kind.PLAN_DRAFT] if kind == Kind.WORK_PLAN
        else [kind], discussion_and_vote=True,
    ).exists()  # fmt: skip


def due_date(filing: Filing) -> datetime.date | None:
    """When the regulation wants this document (the requirement whose year and period it covers)."""
    regulation = filing.association.regulation
    if regulation is None:
        return None
    for year in (filing.academic_year, filing.academic_year - 1):
        for requirement in regulation.requirements(year):
            rule = requirement.rule
            if not isinstance(rule, DocumentRule) or rule.document not in (filing.kind, Kind.PLAN_DRAFT):
                continue
            if requirement.for_year != filing.academic_year:
                continue
            if filing.kind == Kind.WORK_PLAN and rule.document == Kind.PLAN_DRAFT:
                continue  # the draft's date opens the discussion; the plan is due on its own rule
            if filing.kind == Kind.QUARTERLY_NOTE and (
                requirement.period is None or requirement.period != filing.period
            ):
                continue
            return requirement.due
    return None


def owed_documents(association: Association, academic_year: int) -> list[dict]:
    """The documents the regulation asks for, for an academic year: kind, quarter, due date, the filing if any."""
    regulation = association.regulation
    filings = {
        (f.kind, f.quarter): f for f in Filing.objects.filter(association=association, academic_year=academic_year)
    }
    rows = []
    if regulation is None:
        return rows
    seen = set()
    for year in (academic_year - 1, academic_year):
        for requirement in regulation.requirements(year):
            rule = requirement.rule
            if not isinstance(rule, DocumentRule) or requirement.for_year != academic_year:
                continue
            kind = Kind.WORK_PLAN if rule.document == Kind.PLAN_DRAFT else rule.document
            quarter = requirement.period.number if kind == Kind.QUARTERLY_NOTE and requirement.period else 0
            key = (kind, quarter, rule.document)
            if key in seen:
                continue
            seen.add(key)
            rows.append({"kind": kind, "label": requirement.what, "quarter": quarter, "due": requirement.due,
                         "when": requirement.when, "assumed": requirement.assumed,
                         "filing": filings.get((kind, quarter))})  # fmt: skip
    rows.sort(key=lambda r: r["due"])
    return rows


# --- creating, pre-filled ----------------------------------------------------------------------------------


@transaction.atomic
def filing_create(
    *, association: Association, kind: str, academic_year: int, by: User, quarter: int = 0,
    today: datetime.date | None = None,
) -> Filing:  # fmt: skip
    """Open a document for the year (or quarter), pre-filled from what the portal knows; one per period."""
    today = today or calendar.today()
    if kind not in SECTIONS:
        raise FilingError("Такой документ объединение не составляет.")
    if (kind == Kind.QUARTERLY_NOTE) != bool(quarter):
        raise FilingError("Квартал указывают только для аналитической записки.", field="quarter")
    if not 0 <= quarter <= 4:
        raise FilingError("Квартал — с первого по четвёртый.", field="quarter")
    filing = Filing(association=association, kind=kind, academic_year=academic_year, quarter=quarter, created_by=by)
    body, sources = prefill(filing, today=today)
    filing.body, filing.sources = body, sources
    try:
        with transaction.atomic():
            filing.save()
    except IntegrityError:
        raise FilingError(f"«{filing.title}» уже есть: откройте его в списке документов.") from None
    if kind == Kind.WORK_PLAN:
        _plan_items_from_schedule(filing)
    return filing


def _period_bounds(filing: Filing) -> tuple[datetime.date, datetime.date]:
    if filing.kind == Kind.QUARTERLY_NOTE:
        return filing.period.starts_on, filing.period.ends_on
    return calendar.year_bounds(filing.academic_year)


def _members(association: Association, *, on: datetime.date) -> list[User]:
    ids = Membership.objects.current(on=on).filter(association=association).values("user")
    return list(User.objects.filter(pk__in=ids).order_by("sort_key", "pk"))


def _list(lines: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in lines) + "</ul>" if lines else ""


def prefill(filing: Filing, *, today: datetime.date) -> tuple[dict, list]:
    """The sections the portal can write itself, with the source of every figure (so the leader edits, not
    retypes, and a reader can check where a number comes from)."""
    association = filing.association
    start, end = _period_bounds(filing)
    on = min(max(today, start), end)
    body: dict[str, str] = {}
    sources: list[dict] = []

    def source(section: str, label: str, value, where: str, url: str = "") -> None:
        sources.append({"section": section, "label": label, "value": str(value), "source": where, "url": url})

    if filing.kind == Kind.WORK_PLAN:
        pairs = list(
            Mentorship.objects.filter(association=association, academic_year=filing.academic_year).select_related(
                "mentor", "mentee"
            )
        )
        young = [
            t.user
            for t in Teacher.objects.filter(user__in=[u.pk for u in _members(association, on=on)]).select_related(
                "user"
            )
            if t.is_young_specialist(on)
        ]
        lines = [f"{p.mentee.get_full_name()} — наставник {p.mentor.get_full_name()}" for p in pairs]
        paired = {p.mentee_id for p in pairs}
        lines += [f"{u.get_full_name()} — наставник не назначен" for u in young if u.pk not in paired]
        body["young"] = _list(lines)
        source("young", "молодых специалистов (первые три года стажа)", len(young), "база педагогов")
        return body, sources
    if filing.kind not in (Kind.ANNUAL_REPORT, Kind.QUARTERLY_NOTE):
        return body, sources

    meetings = list(
        Meeting.objects.filter(association=association, status=Meeting.Status.HELD,
                               starts_at__date__gte=start, starts_at__date__lte=end).order_by("starts_at")
    )  # fmt: skip
    signed = Protocol.objects.filter(meeting__in=meetings, status__in=Protocol.FINAL).count()
    body["meetings"] = f"<p>Проведено заседаний: {len(meetings)}; протоколов подписано: {signed}.</p>" + _list(
        [f"{m.day_label} — {m.topic}" for m in meetings]
    )
    source("meetings", "заседаний проведено", len(meetings), "график заседаний",
           reverse("meetings:schedule", args=[association.pk, filing.academic_year]))  # fmt: skip
    source("meetings", "протоколов подписано", signed, "протоколы заседаний")

    events = list(
        Event.objects.filter(organisers=association, starts_on__gte=start, starts_on__lte=end).order_by("starts_on")
    )
    member_ids = [u.pk for u in _members(association, on=on)]
    results = list(
        EventParticipant.objects.filter(
            teacher__user__in=member_ids, event__starts_on__gte=start, event__starts_on__lte=end
        )
        .exclude(result=EventParticipant.Result.PARTICIPANT)
        .select_related("event", "teacher__user")
    )
    body["events"] = (
        f"<p>Проведено мероприятий: {len(events)}; призовых мест у членов объединения: {len(results)}.</p>"
        + _list([f"{e.dates_label} — {e.get_kind_display().lower()} «{e.title}»" for e in events])
        + _list([f"{r.teacher.user.get_full_name()} — {r.get_result_display()}, «{r.event.title}»" for r in results])
    )
    source("events", "мероприятий проведено объединением", len(events), "календарь мероприятий района",
           reverse("meetings:event_list"))  # fmt: skip
    source("events", "победителей и призёров", len(results), "итоги мероприятий района")

    courses = TrainingCourse.objects.filter(teacher__user__in=member_ids, end_date__gte=start, end_date__lte=end)
    course_people = courses.values("teacher").distinct().count()
    attested = Teacher.objects.filter(
        user__in=member_ids, category_assigned_on__gte=start, category_assigned_on__lte=end
    )
    achievements = Achievement.objects.filter(teacher__user__in=member_ids, date__gte=start, date__lte=end)
    body["growth"] = (
        f"<p>Курсы повышения квалификации прошли {count_ru(course_people, ('педагог', 'педагога', 'педагогов'))}; "
        f"квалификационную категорию получили {attested.count()}; достижений за период: {achievements.count()}.</p>"
    )
    source("growth", "педагогов прошли курсы", course_people, "база педагогов: курсы")
    source("growth", "аттестовано", attested.count(), "база педагогов: категории")
    source("growth", "достижений", achievements.count(), "база педагогов: достижения")

    if filing.kind == Kind.ANNUAL_REPORT:
        plan = Filing.objects.filter(
            association=association, kind=Kind.WORK_PLAN, academic_year=filing.academic_year
        ).first()
        if plan is not None:
            counts: dict[str, int] = {}
            for item in plan.items.prefetch_related("meetings", "events"):
                counts[item.execution] = counts.get(item.execution, 0) + 1
            done = counts.get(PlanItem.Outcome.DONE, 0)
            total = sum(counts.values())
            body["plan"] = f"<p>Из {total} пунктов плана выполнено {done}, перенесено {counts.get('moved', 0)}, " \
                           f"не выполнено {counts.get('not_done', 0)}.</p>"  # fmt: skip
            source("plan", "пунктов плана выполнено", f"{done} из {total}", "план работы", plan.get_absolute_url())
        pairs = list(
            Mentorship.objects.filter(association=association, academic_year=filing.academic_year).select_related(
                "mentor", "mentee"
            )
        )
        body["young"] = _list([_pair_line(p) for p in pairs])
        source("young", "пар наставник — специалист", len(pairs), "план работы с молодыми специалистами")
    return body, sources


def _pair_line(pair: Mentorship) -> str:
    line = f"{pair.mentee.get_full_name()} — наставник {pair.mentor.get_full_name()}"
    return f"{line}: {pair.result}" if pair.result else line


def _plan_items_from_schedule(filing: Filing) -> None:
    """The year's planned meetings start the plan: one item each, linked to the meeting."""
    meetings = Meeting.objects.filter(association=filing.association, academic_year=filing.academic_year).exclude(
        status=Meeting.Status.CANCELLED
    )
    for position, meeting in enumerate(meetings.order_by("starts_at"), start=1):
        item = PlanItem.objects.create(
            filing=filing, position=position, what=f"Заседание: {meeting.topic}", date=meeting.day,
            form=PlanItem.Form.MEETING, responsible="руководитель объединения",
        )  # fmt: skip
        item.meetings.add(meeting)


# --- editing -------------------------------------------------------------------------------------------------


@transaction.atomic
def filing_save(
    *, filing: Filing, by: User, revision: int, body: dict[str, str], items: list[dict] | None = None
) -> Filing:
    """Save the text (sanitised) and, for a plan, its items; refused as a conflict when someone saved in between."""
    filing = Filing.objects.select_for_update().get(pk=filing.pk)
    if filing.status not in Filing.EDITABLE:
        raise FilingError(f"Документ — «{filing.get_status_display()}»: его текст сейчас не меняется.")
    if revision != filing.revision:
        raise FilingError(
            "Пока вы редактировали, документ сохранил другой пользователь. Ваш текст остался в форме: откройте "
            "документ в новой вкладке, сравните и перенесите свои правки."
        )
    keys = {key for key, _title, _hint in SECTIONS[filing.kind]}
    cleaned = {key: richtext.clean(value) for key, value in body.items() if key in keys}
    if filing.status == Filing.Status.DISCUSSION and cleaned != filing.body:
        # The members voted on another text: their votes go, and they vote again on this one.
        filing.votes.all().delete()
    filing.body = cleaned
    filing.revision += 1
    filing.save(update_fields=["body", "revision", "updated_at"])
    if items is not None and filing.kind == Kind.WORK_PLAN:
        _items_replace(filing, items)
    return filing


def _items_replace(filing: Filing, items: list[dict]) -> None:
    kept = {item.pk: item for item in filing.items.all()}
    seen = set()
    for position, row in enumerate(items, start=1):
        what = (row.get("what") or "").strip()
        if not what:
            continue
        month = row.get("month")
        if month is not None and not 1 <= int(month) <= 12:
            raise FilingError(f"Пункт {position}: месяц — число от 1 до 12.")
        item = kept.get(row.get("id")) or PlanItem(filing=filing)
        item.position, item.what, item.month, item.date = position, what[:500], month, row.get("date")
        if (row.get("form") or PlanItem.Form.OTHER) not in PlanItem.Form.values:
            raise FilingError(f"Пункт {position}: выберите форму из списка.")
        if row.get("outcome") and row["outcome"] not in PlanItem.Outcome.values:
            raise FilingError(f"Пункт {position}: выберите итог из списка.")
        item.form = row.get("form") or PlanItem.Form.OTHER
        item.responsible = (row.get("responsible") or "")[:300]
        item.expected = (row.get("expected") or "")[:500]
        item.outcome = row.get("outcome") or item.outcome or PlanItem.Outcome.PLANNED
        item.save()
        if "meetings" in row:
            item.meetings.set(Meeting.objects.filter(association=filing.association, pk__in=row["meetings"]))
        if "events" in row:
            item.events.set(Event.objects.filter(organisers=filing.association, pk__in=row["events"]))
        seen.add(item.pk)
    PlanItem.objects.filter(filing=filing).exclude(pk__in=seen).delete()


def plan_links(filing: Filing) -> dict:
    """The year's meetings and the association's events an item of the plan can be linked to."""
    start, end = calendar.year_bounds(filing.academic_year)
    return {
        "meetings": list(Meeting.objects.filter(association=filing.association, academic_year=filing.academic_year)
                         .order_by("starts_at")),
        "events": list(Event.objects.filter(organisers=filing.association, starts_on__gte=start, starts_on__lte=end)
                       .order_by("starts_on")),
    }  # fmt: skip


def filing_text(body: dict, items: list[dict], kind: str) -> str:
    """The document as plain lines, for comparing versions."""
    lines = []
    for key, title, _hint in SECTIONS[kind]:
        text = richtext.to_text(body.get(key, ""))
        if text:
            lines.append(f"== {title} ==")
            lines.extend(text.split("\n"))
    if items:
        lines.append("== План мероприятий ==")
        lines += [f"{i['position']}. {i['what']} — {i['when']}; {i['form']}; {i['responsible']}; {i['expected']}"
                  for i in items]  # fmt: skip
    return "\n".join(lines)


def _items_data(filing: Filing) -> list[dict]:
    return [
        {"position": i.position, "what": i.what, "when": i.when_label, "form": i.get_form_display(),
         "responsible": i.responsible, "expected": i.expected, "outcome": i.get_outcome_display()}
        for i in filing.items.all()
    ]  # fmt: skip


# --- discussion and vote -------------------------------------------------------------------------------------


@transaction.atomic
def discussion_open(*, filing: Filing, by: User, until: datetime.date, today: datetime.date | None = None) -> Filing:
    """Open the draft to the members for comments and a vote until a day (seed 004: from 15 May)."""
    today = today or calendar.today()
    filing = Filing.objects.select_for_update().get(pk=filing.pk)
    if until < today:
        raise FilingError("Дата окончания обсуждения уже прошла.", field="until")
    filing.discussion_until = until
    _move(filing, Filing.Status.DISCUSSION, by=by, fields=("discussion_until",))
    return filing


@transaction.atomic
def filing_comment(*, filing: Filing, by: User, text: str, section: str = "", review: bool = False) -> FilingComment:
    """A comment: members' while the discussion is open; the curating methodist's (and her review notes) any time."""
    curator = filing.association.curators.filter(pk=by.pk).exists()
    if not review and not curator and not filing.is_discussion_open(calendar.today()):
        raise FilingError("Обсуждение закрыто: комментарии больше не принимаются.")
    if not text.strip():
        raise FilingError("Напишите комментарий.", field="text")
    if section and section not in {key for key, _t, _h in SECTIONS[filing.kind]} | {"items"}:
        raise FilingError("Такого раздела в документе нет.", field="section")
    latest = filing.versions.order_by("-number").values_list("number", flat=True).first()
    return FilingComment.objects.create(
        filing=filing, section=section, author=by, text=text.strip(), review=review, version=latest
    )


@transaction.atomic
def vote_cast(*, filing: Filing, by: User, choice: str, today: datetime.date | None = None) -> Vote:
    """One vote per member, changeable until the discussion closes."""
    today = today or calendar.today()
    if not filing.is_discussion_open(today):
        raise FilingError("Голосование закрыто: обсуждение не идёт.")
    if not Membership.objects.current(on=today).filter(association=filing.association, user=by).exists():
        raise FilingError("Голосуют члены объединения.")
    if choice not in Vote.Choice.values:
        raise FilingError("Выберите: за, против или воздержался.", field="choice")
    vote, _ = Vote.objects.update_or_create(filing=filing, user=by, defaults={"choice": choice})
    return vote


def vote_tally(filing: Filing) -> dict[str, int]:
    counts = {c: 0 for c in Vote.Choice.values}
    for row in filing.votes.values("choice").annotate(n=Count("pk")):
        counts[row["choice"]] = row["n"]
    return counts


# --- review ---------------------------------------------------------------------------------------------------


@transaction.atomic
def filing_submit(*, filing: Filing, by: User, today: datetime.date | None = None) -> Filing:
    """Send to the methodist as a new kept version; a plan the regulation has discussed first needs its discussion."""
    today = today or calendar.today()
    filing = Filing.objects.select_for_update().select_related("association").get(pk=filing.pk)
    if filing.status == Filing.Status.DRAFT and discussion_required(filing.association, filing.kind):
        raise FilingError("По положению проект сначала обсуждают члены объединения: откройте обсуждение.")
    if filing.status == Filing.Status.DISCUSSION and filing.discussion_until and today <= filing.discussion_until:
        raise FilingError(f"Обсуждение идёт до {date_ru(filing.discussion_until)}: отправить можно после него.")
    if not any(richtext.to_text(v) for v in filing.body.values()):
        raise FilingError("Документ пуст: заполните хотя бы один раздел.")
    items = _items_data(filing)
    number = (filing.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    FilingVersion.objects.create(
        filing=filing, number=number, body=filing.body, items=items, created_by=by,
        text=filing_text(filing.body, items, filing.kind),
    )  # fmt: skip
    filing.submitted_at = timezone.now()
    _move(filing, Filing.Status.SUBMITTED, by=by, fields=("submitted_at",))
    return filing


@transaction.atomic
def filing_return(*, filing: Filing, by: User, comment: str, section_comments: dict[str, str] | None = None) -> Filing:
    """The methodist returns the document: a comment on the whole and/or on sections, shown beside them."""
    filing = Filing.objects.select_for_update().get(pk=filing.pk)
    notes = {k: v.strip() for k, v in (section_comments or {}).items() if v and v.strip()}
    if not comment.strip() and not notes:
        raise FilingError("Напишите, что исправить: в целом или по разделам.", field="comment")
    _move(filing, Filing.Status.RETURNED, by=by, comment=comment.strip())
    if comment.strip():
        filing_comment(filing=filing, by=by, text=comment, review=True)
    for section, text in notes.items():
        filing_comment(filing=filing, by=by, text=text, section=section, review=True)
    return filing


def publication_day(filing: Filing, *, today: datetime.date) -> datetime.date:
    """The first day of the regulation's publication window for this document (today where it names none)."""
    regulation = filing.association.regulation
    if regulation is None:
        return today
    document = Kind.WORK_PLAN if filing.kind == Kind.WORK_PLAN else filing.kind
    window = PublicationWindow.objects.filter(regulation=regulation, document=document).first()
    if window is None:
        return today
    year = filing.academic_year - 1 if window.covers_next_year else filing.academic_year
    starts_on, _ends_on = window.window(year)
    return max(today, starts_on)


@transaction.atomic
def filing_accept(*, filing: Filing, by: User, today: datetime.date | None = None) -> Filing:
    """Accept; published at once, or on the first day of the regulation's window (seed 004: plans 20–30 August)."""
    today = today or calendar.today()
    filing = Filing.objects.select_for_update().select_related("association__regulation").get(pk=filing.pk)
    filing.accepted_at = timezone.now()
    filing.publish_on = publication_day(filing, today=today)
    _move(filing, Filing.Status.ACCEPTED, by=by, fields=("accepted_at", "publish_on"))
    if filing.publish_on <= today:
        _publish(filing)
    return filing


def _publish(filing: Filing) -> None:
    from rmo_portal.search import fold

    filing.published_at = timezone.now()
    # What the public reads, and nothing else: the search must not confirm what the page hides.
    public = public_sections(filing, filing.sections)
    words = [filing.title, str(filing.association)] + [richtext.to_text(section["html"]) for section in public]
    filing.search_text = fold(" ".join(words))
    _move(filing, Filing.Status.PUBLISHED, by=None, fields=("published_at", "search_text"))


@transaction.atomic
def filings_publish_due(*, today: datetime.date | None = None) -> int:
    """Publish the accepted documents whose day has come (`<=`: a missed day is caught up). Daily from beat."""
    today = today or calendar.today()
    due = list(Filing.objects.select_for_update().filter(status=Filing.Status.ACCEPTED, publish_on__lte=today))
    for filing in due:
        _publish(filing)
    return len(due)


def version_diff(older: FilingVersion, newer: FilingVersion) -> list[tuple[str, str]]:
    rows = []
    for line in difflib.ndiff(older.text.splitlines(), newer.text.splitlines()):
        if not line.startswith("? "):
            rows.append((line[0], line[2:]))
    return rows


def published_search(query: str):
    """Published documents whose title, association or text has every word of the query (case and ё/е folded,
    as the portal searches), from the folded text stored at publication: one indexed-size query."""
    from rmo_portal.search import fold

    qs = Filing.objects.filter(status=Filing.Status.PUBLISHED).select_related("association")
    words = [w for w in fold(query).split() if w]
    if not words:
        return qs.none()
    for word in words:
        qs = qs.filter(search_text__contains=word)
    return qs.order_by("-published_at", "pk")


def public_sections(filing: Filing, sections: list[dict]) -> list[dict]:
    """The sections as the public reads them: those naming people's situation left out, and the names of members
    who did not consent to publication replaced (as in public protocols)."""
    hidden = hidden_names(filing)
    shown = []
    for section in sections:
        if section["key"] in PRIVATE_SECTIONS:
            continue
        shown.append({**section, "html": mask_names(section["html"], hidden, escaped=True)})
    return shown


def hidden_names(filing: Filing) -> list[str]:
    """The names (full and short) of the year's members who did not agree to publication, longest first."""
    from meetings.services import publishable_ids

    start, end = calendar.year_bounds(filing.academic_year)
    ids = (
        Membership.objects.filter(association=filing.association, start_date__lte=end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        .values("user")
    )
    people = list(User.objects.filter(pk__in=ids))
    allowed = publishable_ids({u.pk for u in people})
    names = {name for u in people if u.pk not in allowed for name in (u.get_full_name(), u.short_name) if name}
    return sorted(names, key=len, reverse=True)


def consent_stamp(filing: Filing) -> str:
    """Changes whenever a consent of the association's people is given or withdrawn (for caches of public text)."""
    from django.db.models import Max

    from members.models import Consent

    ids = Membership.objects.filter(association=filing.association).values("user")
    stamp = Consent.objects.filter(user__in=ids).aggregate(given=Max("given_at"), withdrawn=Max("withdrawn_at"))
    # Hashed: a cache key holds no spaces or colons of the timestamps.
    return hashlib.sha1(f"{stamp['given']}/{stamp['withdrawn']}".encode()).hexdigest()[:16]


def mask_names(text: str, hidden: list[str], *, escaped: bool = False) -> str:
    for name in hidden:
        text = text.replace(html.escape(name) if escaped else name, "член объединения")
    return text


def history(filing: Filing) -> list:
    """The document's moves (who, when, from, to, comment), from the one workflow history."""
    return workflow.history_of(filing)


def filing_notify(filing: Filing, old: str, new: str, by: User | None, comment: str) -> None:
    """The workflow's notifier of documents (registered in ReportsConfig.ready()), after the move commits: the
    curators hear of a submitted document; the leaders of a returned one (with the comments), an accepted and a
    published one."""
    today = calendar.today()
    if new == Filing.Status.SUBMITTED:
        people = list(filing.association.curators.all())
        subject = f"На проверку: {filing.title}, {filing.association}"
        text = f"{filing.association} отправляет на проверку «{filing.title}»."
    elif new in (Filing.Status.RETURNED, Filing.Status.ACCEPTED, Filing.Status.PUBLISHED):
        leaders = Membership.objects.current(on=today).filter(association=filing.association,
                                                               role=Membership.Role.LEADER)  # fmt: skip
        people = list(User.objects.filter(pk__in=leaders.values("user")))
        if new == Filing.Status.RETURNED:
            notes = list(filing.comments.filter(review=True, version=filing.versions.count()).order_by("pk"))
            by_section = {key: title for key, title, _hint in SECTIONS[filing.kind]}
            lines = [f"— {by_section.get(c.section, 'в целом')}: {c.text}" for c in notes]
            subject = f"Возвращён на доработку: {filing.title}"
            text = (f"Методист возвращает «{filing.title}» на доработку.\n\nЗамечания:\n" + "\n".join(lines)
                    + "\n\nИсправьте и отправьте снова.")  # fmt: skip
        elif new == Filing.Status.ACCEPTED:
            subject = f"Принят: {filing.title}"
            text = f"«{filing.title}» принят; он будет опубликован {date_ru(filing.publish_on)}."
        else:
            subject = f"Опубликован: {filing.title}"
            text = f"«{filing.title}» опубликован в разделе «Методическая работа»."
    else:
        return
    notify(recipients=people, subject=subject, text=text, link=filing.get_absolute_url(), kind="workflow")


# --- mentorship (seed 004 §9.12) ----------------------------------------------------------------------------


@transaction.atomic
def mentorship_save(
    *, association: Association, academic_year: int, mentee: User, mentor: User, by: User, support: str = "",
    result: str = "", newly_arrived: bool = False, today: datetime.date | None = None,
) -> Mentorship:  # fmt: skip
    """Pair a young or newly arrived specialist with a mentor, both members of the association; one mentor each."""
    today = today or calendar.today()
    members = {u.pk for u in _members(association, on=today)}
    if mentee.pk not in members or mentor.pk not in members:
        raise FilingError("Наставник и специалист — члены этого объединения.", field="mentor")
    if mentee.pk == mentor.pk:
        raise FilingError("Наставник не может быть наставником самому себе.", field="mentor")
    pair, _ = Mentorship.objects.update_or_create(
        association=association, academic_year=academic_year, mentee=mentee,
        defaults={"mentor": mentor, "support": support.strip(), "result": result.strip(),
                  "newly_arrived": newly_arrived},
    )  # fmt: skip
    return pair


@transaction.atomic
def mentorship_remove(*, pair: Mentorship, by: User) -> None:
    pair.delete()


def mentorship_candidates(association: Association, *, on: datetime.date) -> list[User]:
    """The association's young specialists (first three years), first, then everyone else."""
    members = _members(association, on=on)
    young = {t.user_id for t in Teacher.objects.filter(user__in=[u.pk for u in members]) if t.is_young_specialist(on)}
    return sorted(members, key=lambda u: (u.pk not in young, u.sort_key))


@transaction.atomic
def filing_approved_at(*, filing: Filing, by: User, meeting: Meeting | None) -> Filing:
    """Record the meeting whose protocol approved the document («УТВЕРЖДЕНО … протокол № … от …» in its PDF):
    a held meeting of the same association with a signed protocol, or none."""
    filing = Filing.objects.select_for_update().get(pk=filing.pk)
    if meeting is not None:
        protocol = Protocol.objects.filter(meeting=meeting, status__in=list(Protocol.FINAL)).first()
        if meeting.association_id != filing.association_id or protocol is None:
            raise FilingError("Выберите заседание этого объединения с подписанным протоколом.", field="meeting")
    filing.approved_at_meeting = meeting
    filing.save(update_fields=["approved_at_meeting", "updated_at"])
    return filing


def approval_meetings(filing: Filing) -> list[Meeting]:
    """The association's meetings with signed protocols, latest first: where a plan can have been approved."""
    return list(
        Meeting.objects.filter(association=filing.association, protocol__status__in=list(Protocol.FINAL))
        .select_related("protocol")
        .order_by("-starts_at")[:20]
    )
