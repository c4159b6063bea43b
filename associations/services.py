"""Writes of associations/: regulations, academic years, orders and their effects."""

import datetime
import logging

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from members.models import Teacher, User
from rmo_portal import calendar, changes, workflow
from rmo_portal.district import district
from rmo_portal.files import stored_file_create
from rmo_portal.notifications import notify
from rmo_portal.permissions import allowed
from rmo_portal.signatures import signature_create
from rmo_portal.text import date_ru

from .models import (
    AcademicYear,
    Association,
    AssociationEvent,
    Membership,
    MembershipInvitation,
    Order,
    OrderAttachment,
    OrderCounter,
    OrderLine,
    OrderMember,
    ProtocolRule,
    Regulation,
    SchoolTerm,
)

logger = logging.getLogger(__name__)


class WorkflowError(workflow.TransitionRefused):
    """A change the rules do not allow; the message is for the user, beside `field` of the form when it names one."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


@transaction.atomic
def regulation_copy(*, regulation: Regulation, code: str, title: str, district: str) -> Regulation:
    """Copy a regulation with all its rules, to edit the copy without touching the original."""
    if Regulation.objects.filter(code=code).exists():
        raise WorkflowError(f"Положение с кодом «{code}» уже есть.")
    rules = {
        "meeting_rules": list(regulation.meeting_rules.all()),
        "document_rules": list(regulation.document_rules.all()),
        "publication_windows": list(regulation.publication_windows.all()),
    }
    protocol = ProtocolRule.objects.filter(regulation=regulation).first()
    copy = Regulation.objects.get(pk=regulation.pk)
    copy.pk = None
    copy.code, copy.title, copy.district, copy.copied_from = code, title, district, regulation
    copy.save()
    for rows in rules.values():
        for row in rows:
            row.pk = None
            row.regulation = copy
            row.save()
    if protocol:
        protocol.pk = None
        protocol.regulation = copy
        protocol.save()
    return copy


@transaction.atomic
def academic_year_ensure(*, start_year: int) -> AcademicYear:
    """The academic year starting in `start_year`, made with the calendar's default bounds and terms if missing."""
    default = calendar.default_shape(start_year)
    year, created = AcademicYear.objects.get_or_create(
        start_year=start_year, defaults={"starts_on": default.starts_on, "ends_on": default.ends_on}
    )
    if created:
        for number, (starts_on, ends_on) in enumerate(default.terms, start=1):
            SchoolTerm.objects.create(academic_year=year, number=number, starts_on=starts_on, ends_on=ends_on)
        academic_year_forget(start_year=start_year)
    return year


def _cache_key(start_year: int) -> str:
    return f"academic-year-shape:{start_year}"


def academic_year_shape(start_year: int) -> calendar.YearShape:
    """What the rows say about an academic year (made with defaults when missing), for rmo_portal.calendar.

    Kept in the cache for a few minutes: every date question reads it; an edit in the admin forgets it.
    """
    cached = cache.get(_cache_key(start_year))
    if cached is not None:
        return cached
    year = AcademicYear.objects.filter(start_year=start_year).prefetch_related("terms").first()
    if year is None:
        year = academic_year_ensure(start_year=start_year)
    terms = tuple((t.starts_on, t.ends_on) for t in sorted(year.terms.all(), key=lambda t: t.number))
    shape = calendar.YearShape(starts_on=year.starts_on, ends_on=year.ends_on, terms=terms)
    cache.set(_cache_key(start_year), shape, 600)
    return shape


def academic_year_forget(*, start_year: int) -> None:
    """Drop the cached shape of a year (after its rows change)."""
    cache.delete(_cache_key(start_year))


# --- orders ---------------------------------------------------------------------------------


def order_leader_problems(*, order: Order, on: datetime.date | None = None) -> list[str]:
    """What the order's leader candidate lacks under the regulation (empty when eligible or not a leader order).

    For an order creating many associations: each line's leader under that line's regulation, «Строка N: …».
    """
    if order.kind == Order.Kind.CREATE_MANY:
        from .bulk import leader_problems_of

        lines = OrderLine.objects.filter(order=order).select_related("leader", "regulation")
        return leader_problems_of(lines, on=on or calendar.today())
    if order.kind not in (Order.Kind.CREATE_ASSOCIATION, Order.Kind.APPOINT_LEADER) or order.candidate_id is None:
        return []
    regulation = order.regulation_for_leader()
    if regulation is None:
        return []
    teacher = Teacher.objects.filter(user_id=order.candidate_id).prefetch_related("educations", "subjects").first()
    subject_area = order.association.subject_area if order.association_id else order.new_subject_area
    return regulation.leader_problems(teacher, on=on or calendar.today(), subject_area=subject_area)


def _order_refused(order: Order, to: str) -> str:
    return f"Нельзя перевести приказ из состояния «{order.get_status_display()}» в «{Order.Status(to).label}»."


def _order_move(order: Order, to: str, *, by: User | None, comment: str = "", extra_fields=()) -> None:
    """The one transition (rmo_portal.workflow): checks, saves `status` and `extra_fields`, records, notifies."""
    workflow.transition(
        order, to, by=by, comment=comment, error=WorkflowError, refused=_order_refused, extra_fields=extra_fields
    )


@transaction.atomic
def order_lines_replace(*, order: Order, lines: list) -> list[OrderLine]:
    """Put the checked list (associations.bulk.Line) into a draft order, replacing its old list: all lines or none.

    An order of another kind keeps no list (a kind changed while drafting drops it).
    """
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status not in Order.EDITABLE:
        raise WorkflowError("Список меняется, пока приказ — проект или возвращён на доработку.")
    order.lines.all().delete()
    if order.kind != Order.Kind.CREATE_MANY:
        return []
    return OrderLine.objects.bulk_create([line.as_order_line(order) for line in lines])


def _order_lines_refused(order: Order) -> str:
    """Why the list of an order creating many associations cannot go on: empty, or a name taken meanwhile."""
    if order.kind != Order.Kind.CREATE_MANY:
        return ""
    lines = list(order.lines.all())
    if not lines:
        return "В приказе нет ни одного объединения: добавьте список."
    from rmo_portal.search import fold

    taken = {fold(n) for n in Association.objects.values_list("name", flat=True)}
    clashes = [f"строка {line.number} («{line.name}»)" for line in lines if fold(line.name) in taken]
    if clashes:
        return "Такие объединения уже есть на портале: " + ", ".join(clashes) + ". Исправьте список."
    # Signed orders not yet in force create theirs later: the same name twice would fail on its effective day.
    pending = Order.objects.filter(status=Order.Status.SIGNED, applied_at__isnull=True).exclude(pk=order.pk)
    coming = {fold(n) for n in pending.exclude(new_name="").values_list("new_name", flat=True)}
    coming |= {fold(n) for n in OrderLine.objects.filter(order__in=pending).values_list("name", flat=True)}
    clashes = [f"строка {line.number} («{line.name}»)" for line in lines if fold(line.name) in coming]
    if clashes:
        return ("Такие объединения уже создаёт другой подписанный приказ, который ещё не вступил в силу: "
                + ", ".join(clashes) + ". Исправьте список.")  # fmt: skip
    return ""


@transaction.atomic
def order_submit(*, order: Order, by: User) -> Order:
    """Send a draft to the district head for signature; the leader candidate is checked again."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if refused := _order_lines_refused(order):
        raise WorkflowError(refused)
    problems = order_leader_problems(order=order)
    comment = ("Кандидат не соответствует положению: " + "; ".join(problems)) if problems else ""
    _order_move(order, Order.Status.AWAITING, by=by, comment=comment)
    return order


@transaction.atomic
def order_return(*, order: Order, by: User, comment: str) -> Order:
    """The head returns an order to its drafter with a comment."""
    if not comment.strip():
        raise WorkflowError("Напишите, что исправить: методист увидит комментарий.")
    order = Order.objects.select_for_update().get(pk=order.pk)
    _order_move(order, Order.Status.RETURNED, by=by, comment=comment.strip())
    return order


def _order_unsignable_reason(order: Order) -> str:
    """Why an order not on signature cannot be signed (a second «Подписать» from an old tab lands here)."""
    if order.status == Order.Status.SIGNED:
        signer = f", подписал(а) {order.signed_by.short_name}" if order.signed_by else ""
        return f"Приказ уже подписан: № {order.number} от {date_ru(order.signed_on)}{signer}."
    if order.status == Order.Status.REVOKED:
        return (
            f"Приказ № {order.number} от {date_ru(order.signed_on)} отменён: подписать его нельзя. "
            "Если он снова нужен, методист готовит новый приказ."
        )
    if order.status == Order.Status.RETURNED:
        return (
            "Приказ возвращён на доработку: подписать его можно, когда методист исправит его "
            "и снова отправит на подпись."
        )
    return "Это проект приказа: подписать его можно, когда методист отправит его на подпись."


# Orders are signed documents of the kernel's signatures (rmo_portal.signatures) under this key; one version each.
ORDER_DOCUMENT_KIND = "associations.order"


def order_document_key(order: Order) -> str:
    return f"{ORDER_DOCUMENT_KIND}:{order.pk}"


def order_text(order: Order) -> str:
    """The canonical text of an order, whose SHA-256 its signature records: what the order says, in the words and
    order a reader finds on the paper (heading, number and date, title, text, effect, the people it names)."""
    lines = [
        district().organisation_name,
        "ПРИКАЗ",
        f"№ {order.number or '—'} от {date_ru(order.signed_on) if order.signed_on else '—'}",
        f"Вид: {order.get_kind_display()}",
        order.title.strip(),
        "",
        order.text.replace("\r\n", "\n").strip(),
        "",
        f"Вступает в силу: {date_ru(order.effective_date)}",
    ]
    if order.association_id:
        lines.append(f"Объединение: {order.association.name}")
    if order.new_name:
        lines.append(f"Новое объединение: {order.new_name}")
    if order.candidate_id:
        lines.append(f"Руководитель: {order.candidate.full_name}")
    created = order.lines.select_related("leader", "curator", "regulation").order_by("number")
    if created:
        lines.append("Объединения:")
        lines += [
            f"{line.number}. {line.name} — {line.get_kind_display()}, {line.subject_area or '—'}; "
            f"руководитель: {line.leader.full_name}; куратор: {line.curator.full_name}; "
            f"положение: {line.regulation.title}"
            for line in created
        ]
    members = sorted(order.members.select_related("user"), key=lambda m: (m.user.sort_key, m.user_id))
    if members:
        lines.append("Состав:")
        lines += [
            f"{m.user.full_name} — {'выходит из состава' if m.leaves else m.get_role_display().lower()}"
            for m in members
        ]
    return "\n".join(lines)


@transaction.atomic
def order_sign(*, order: Order, by: User, override_reason: str = "", today: datetime.date | None = None) -> Order:
    """Sign: check the leader again, give the next number of the year, record the head's simple electronic
    signature of the order's text (its stamp goes on the PDF and the page), and apply the effect if it is due.

    An ineligible candidate stops the signature unless the head writes a reason, which is logged.
    """
    today = today or calendar.today()
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != Order.Status.AWAITING:
        raise WorkflowError(_order_unsignable_reason(order))
    if refused := _order_lines_refused(order):
        raise WorkflowError(refused)
    problems = order_leader_problems(order=order, on=today)
    if problems and not override_reason.strip():
        raise WorkflowError(
            "Кандидат не соответствует положению: " + "; ".join(problems) + ". Чтобы подписать, укажите основание.",
            field="override_reason",
        )
    counter, _ = OrderCounter.objects.get_or_create(year=today.year)
    counter = OrderCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    _order_move(
        order,
        Order.Status.SIGNED,
        by=by,
        comment=("Подписан вопреки требованиям (" + "; ".join(problems) + "): " + override_reason.strip())
        if problems
        else "",
        extra_fields={
            "number": counter.last, "number_year": today.year, "signed_on": today, "signed_by": by,
            "override_reason": override_reason.strip() if problems else "",
        },
    )  # fmt: skip
    signature_create(
        document_key=order_document_key(order), document_version=1, document_title=f"{order} «{order.title}»",
        document_url=order.get_absolute_url(), text=order_text(order), signer=by,
        role_label=by.get_role_display(),  # «Начальник управления образования»
    )  # fmt: skip
    if order.effective_date <= today:
        _order_apply(order, today=today)
    return order


@transaction.atomic
def order_attach(*, order: Order, upload, title: str, by: User) -> OrderAttachment:
    """Attach a file (checked by content, stored under an unguessable name) to an order still being drafted."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status not in Order.EDITABLE:
        raise WorkflowError("Приложения добавляются, пока приказ — проект или возвращён на доработку.")
    try:
        stored = stored_file_create(upload=upload, use="document", by=by)
    except ValidationError as error:
        raise WorkflowError(" ".join(error.messages)) from error
    return OrderAttachment.objects.create(order=order, file=stored, title=title.strip())


@transaction.atomic
def order_revoke(*, order: Order, by: User, comment: str) -> Order:
    """Revoke a signed order whose effect has not yet been applied (after that, a new order is needed)."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.applied_at:
        raise WorkflowError("Приказ уже вступил в силу: отменить его действие можно только новым приказом.")
    if not comment.strip():
        raise WorkflowError("Укажите причину отмены.")
    _order_move(order, Order.Status.REVOKED, by=by, comment=comment.strip())
    return order


def _who(by: User | None) -> str:
    return by.full_name if by else "Портал"


def order_notify(order: Order, old: str, new: str, by: User | None, comment: str) -> None:
    """The workflow's notifier of orders (registered in AssociationsConfig.ready()), after the move commits:
    the drafter hears that the head returned the order (with the comment) or signed it."""
    if new not in (Order.Status.RETURNED, Order.Status.SIGNED):
        return
    if new == Order.Status.RETURNED:
        subject = f"Приказ возвращён на доработку: {order.title}"
        text = (
            f"{_who(by)} возвращает на доработку проект приказа «{order.title}».\n\n"
            f"Что исправить: {comment}\n\nИсправьте приказ и снова отправьте его на подпись."
        )
    else:
        subject = f"Приказ подписан: № {order.number} от {date_ru(order.signed_on)}"
        text = (
            f"{_who(by)} подписывает приказ «{order.title}»: № {order.number} от {date_ru(order.signed_on)}. "
            f"Вступает в силу {date_ru(order.effective_date)}."
        )
    notify(recipients=[order.drafted_by], subject=subject, text=text, link=order.get_absolute_url(), kind="workflow")


def orders_apply_due(*, today: datetime.date | None = None) -> int:
    """Apply every signed order whose effective date has come (<=, so a missed day is caught up). Idempotent."""
    today = today or calendar.today()
    applied = 0
    due = Order.objects.filter(status=Order.Status.SIGNED, applied_at__isnull=True, effective_date__lte=today)
    for pk in due.values_list("pk", flat=True):
        try:
            with transaction.atomic():
                order = Order.objects.select_for_update().get(pk=pk)
                if order.applied_at is None and order.status == Order.Status.SIGNED:
                    _order_apply(order, today=today)
                    applied += 1
        except IntegrityError:
            # One order that cannot take effect (a name taken meanwhile) must not hold up the others: it stays
            # signed and unapplied, logged for the administrator, and is tried again the next day.
            logger.exception("Приказ %s не применён", pk)
    return applied


def _order_apply(order: Order, *, today: datetime.date) -> None:
    """The effect of an order in force: an association appears or closes, a leader's rights start or end."""
    on = order.effective_date
    label = f"{order} ({order.get_kind_display().lower()})"
    kind = order.kind
    touched = []
    if kind == Order.Kind.CREATE_MANY:
        touched = _order_lines_apply(order, on=on, label=label)
    elif kind == Order.Kind.CREATE_ASSOCIATION:
        association = Association.objects.create(
            name=order.new_name,
            kind=order.new_kind or Association.Kind.RMO,
            subject_area=order.new_subject_area,
            regulation=order.new_regulation,
            created_by_order=order,
        )
        association.curators.add(order.drafted_by)
        order.association = association
        AssociationEvent.objects.create(association=association, order=order, on=on, text=f"Создано: {label}")
        if order.candidate_id:
            _leader_start(association, order.candidate, order=order, on=on)
    elif kind == Order.Kind.DISSOLVE_ASSOCIATION:
        association = order.association
        association.status = Association.Status.DISSOLVED
        association.save(update_fields=["status"])
        Membership.objects.current(on=on).filter(association=association).update(end_date=on)
        AssociationEvent.objects.create(association=association, order=order, on=on, text=f"Упразднено: {label}")
    elif kind == Order.Kind.APPOINT_LEADER:
        _leaders_end(order.association, order=order, on=on)
        _leader_start(order.association, order.candidate, order=order, on=on)
    elif kind == Order.Kind.DISMISS_LEADER:
        _leaders_end(order.association, order=order, on=on, only=order.candidate)
    elif kind == Order.Kind.APPROVE_COMPOSITION:
        for member in order.members.select_related("user"):
            if member.leaves:
                _membership_end_by_order(order.association, member.user, on=on)
                continue
            Membership.objects.get_or_create(
                association=order.association, user=member.user, role=member.role, start_date=on,
                defaults={"order": order},
            )  # fmt: skip
        AssociationEvent.objects.create(
            association=order.association, order=order, on=on,
            text=f"Утверждён состав ({order.members.count()} чел.): {label}", names_members=True,
        )  # fmt: skip
    elif order.association_id:
        AssociationEvent.objects.create(
            association=order.association, order=order, on=on, text=f"Вступил в силу: {label}"
        )
    order.applied_at = timezone.now()
    order.save(update_fields=["applied_at", "association"])
    # An association created or dissolved, a leader appointed or dismissed: its obligations follow.
    changes.announce("associations", ids=[order.association_id, *touched])


def _order_lines_apply(order: Order, *, on: datetime.date, label: str) -> list[int]:
    """Every association of the list appears, with its curator, its leader from `on` and its history lines."""
    created = []
    for line in order.lines.select_related("leader", "curator", "regulation").order_by("number"):
        association = Association.objects.create(
            name=line.name, kind=line.kind, subject_area=line.subject_area, regulation=line.regulation,
            created_by_order=order,
        )  # fmt: skip
        association.curators.add(line.curator)
        AssociationEvent.objects.create(association=association, order=order, on=on, text=f"Создано: {label}")
        _leader_start(association, line.leader, order=order, on=on)
        line.association = association
        line.save(update_fields=["association"])
        created.append(association.pk)
    return created


def _leader_start(association: Association, user: User, *, order: Order, on: datetime.date) -> None:
    Membership.objects.get_or_create(
        association=association, user=user, role=Membership.Role.LEADER, start_date=on, defaults={"order": order}
    )
    AssociationEvent.objects.create(
        association=association, order=order, on=on, text=f"Руководитель — {user.full_name}: {order}"
    )


def _leaders_end(association: Association, *, order: Order, on: datetime.date, only: User | None = None) -> None:
    """Leader rights end the day before the order's effective date."""
    leaders = Membership.objects.current(on=on).filter(association=association, role=Membership.Role.LEADER)
    if only is not None:
        leaders = leaders.filter(user=only)
    for membership in leaders.select_related("user"):
        membership.end_date = max(membership.start_date, on - datetime.timedelta(days=1))
        membership.save(update_fields=["end_date"])
        AssociationEvent.objects.create(
            association=association, order=order, on=on,
            text=f"Освобождён от обязанностей руководителя — {membership.user.full_name}: {order}",
        )  # fmt: skip


# --- the composition ------------------------------------------------------------------------


@transaction.atomic
def membership_propose(*, association: Association, user: User, role: str, by: User) -> str:
    """Someone who manages the composition adds a teacher to the association. Returns what happened, in Russian.

    - where the regulation wants the composition approved by an order, the teacher joins the draft order
      «Об утверждении состава» (made if missing, for the curating methodist to send to signature);
    - the curating methodist or an admin (who see every teacher already) start the membership today;
    - a leader only invites: a membership would open the teacher's whole profile to her, so it starts when the
      teacher accepts (or the curator approves). The teacher gets a notification with a link (rmo_portal.notifications:
      under the bell and by mail) and the invitation on her start page.
    """
    today = calendar.today()
    if association.status != Association.Status.ACTIVE:
        raise WorkflowError("Объединение упразднено: состав не меняется.")
    if Membership.objects.current(on=today).filter(association=association, user=user).exists():
        raise WorkflowError(f"{user.full_name} уже в составе объединения.")
    if role == Membership.Role.LEADER:
        raise WorkflowError("Руководитель назначается приказом.")
    if association.regulation.composition_by_order:
        return _composition_order_add(association=association, user=user, role=role)
    invitation = MembershipInvitation.objects.select_for_update().open().filter(association=association, user=user)
    invitation = invitation.first()
    if allowed(by, "associations.approve_invitation", association):
        if invitation is not None:
            return invitation_approve(invitation=invitation, by=by)
        _membership_start(association=association, user=user, role=role, on=today, how="")
        return f"Включение в состав: {user.full_name}, с {date_ru(today)}"
    if invitation is not None:
        raise WorkflowError(f"Приглашение уже отправлено: {user.full_name}. Ждём ответа.")
    invitation = MembershipInvitation.objects.create(association=association, user=user, role=role, invited_by=by)
    AssociationEvent.objects.create(
        association=association, on=today, names_members=True,
        # The invited person is not a member yet: the line does not name them (members read the history).
        text=f"Отправлено приглашение в состав (отправитель: {by.full_name})",
    )  # fmt: skip
    _invitation_notify(invitation)
    return (
        f"Приглашение в состав отправлено: {user.full_name}. Педагог войдёт в него, когда примет приглашение "
        "(или его одобрит курирующий методист)."
    )


def _composition_order_add(*, association: Association, user: User, role: str, leaves: bool = False) -> str:
    curator = association.curators.first()
    if curator is None:
        raise WorkflowError("У объединения нет курирующего методиста: некому подготовить приказ о составе.")
    today = calendar.today()
    order = (
        Order.objects.select_for_update()
        .filter(association=association, kind=Order.Kind.APPROVE_COMPOSITION, status__in=Order.EDITABLE)
        .first()
    )
    if order is None:
        order = Order.objects.create(
            kind=Order.Kind.APPROVE_COMPOSITION,
            title=f"Об утверждении состава: {association.name}",
            text=f"Утвердить изменения состава объединения «{association.name}» по списку.",
            effective_date=today,
            association=association,
            drafted_by=curator,
        )
    OrderMember.objects.update_or_create(order=order, user=user, defaults={"role": role, "leaves": leaves})
    what = "выход из состава" if leaves else "включение в состав"
    return (
        f"В проект приказа об утверждении состава внесено: {what} — {user.full_name}. "
        "Приказ отправит на подпись методист; до его вступления в силу состав не меняется."
    )


def _membership_end_by_order(association: Association, user: User, *, on: datetime.date) -> None:
    """A member leaves on the order's effective date: the day before is her last in the composition."""
    for membership in Membership.objects.current(on=on).filter(association=association, user=user):
        if membership.role == Membership.Role.LEADER:
            continue  # a leader is dismissed by an order of its own kind
        if membership.start_date >= on:
            membership.delete()
        else:
            membership.end_date = on - datetime.timedelta(days=1)
            membership.save(update_fields=["end_date"])


def _membership_start(*, association: Association, user: User, role: str, on: datetime.date, how: str) -> None:
    if not Membership.objects.current(on=on).filter(association=association, user=user).exists():
        Membership.objects.get_or_create(association=association, user=user, role=role, start_date=on)
    AssociationEvent.objects.create(
        association=association, on=on, names_members=True, text=f"Включение в состав: {user.full_name}{how}"
    )


def _invitation_notify(invitation: MembershipInvitation) -> None:
    association, leader = invitation.association, invitation.invited_by
    notify(
        recipients=[invitation.user],
        subject=f"Приглашение в объединение «{association.name}»",
        text=(
            f"{leader.full_name}, руководитель объединения «{association.name}», приглашает вас в его состав "
            f"({invitation.get_role_display().lower()}).\n\n"
            "Если вы примете приглашение, руководитель увидит ваш профиль в базе педагогов района. "
            "Принять или отказаться можно по ссылке ниже; приглашение также есть на вашем рабочем столе в портале."
        ),
        link=reverse("associations:invitation_accept", args=[invitation.pk]),
        kind="invitation",
    )


def _invitation_for_decision(invitation: MembershipInvitation) -> MembershipInvitation:
    return (
        MembershipInvitation.objects.select_for_update(of=("self",))
        .select_related("association", "user")
        .get(pk=invitation.pk)
    )


def _already_decided(invitation: MembershipInvitation) -> str:
    when = date_ru(invitation.decided_on)
    return f"Приглашение уже {invitation.get_decision_display()} {when}: ничего не изменилось."


def _invitation_decide(invitation: MembershipInvitation, decision: str, *, by: User) -> None:
    invitation.decision, invitation.decided_at, invitation.decided_by = decision, timezone.now(), by
    invitation.save(update_fields=["decision", "decided_at", "decided_by"])


@transaction.atomic
def invitation_accept(*, invitation: MembershipInvitation, by: User) -> str:
    """The invited teacher accepts: the membership starts today. Only the invited person; a second time changes
    nothing and says so."""
    invitation = _invitation_for_decision(invitation)
    if invitation.user_id != by.pk:
        raise WorkflowError("Принять приглашение может только приглашённый педагог.")
    if not invitation.is_open:
        return _already_decided(invitation)
    if invitation.association.status != Association.Status.ACTIVE:
        raise WorkflowError("Объединение упразднено: вступить в него нельзя.")
    _invitation_decide(invitation, MembershipInvitation.Decision.ACCEPTED, by=by)
    today = calendar.today()
    _membership_start(
        association=invitation.association, user=invitation.user, role=invitation.role, on=today,
        how=" (приглашение принято)",
    )  # fmt: skip
    return f"Вы в составе объединения «{invitation.association.name}» с {date_ru(today)}"


@transaction.atomic
def invitation_decline(*, invitation: MembershipInvitation, by: User) -> str:
    """The invited teacher declines: nothing else changes. Idempotent."""
    invitation = _invitation_for_decision(invitation)
    if invitation.user_id != by.pk:
        raise WorkflowError("Отказаться от приглашения может только приглашённый педагог.")
    if not invitation.is_open:
        return _already_decided(invitation)
    _invitation_decide(invitation, MembershipInvitation.Decision.DECLINED, by=by)
    AssociationEvent.objects.create(
        association=invitation.association, on=calendar.today(), names_members=True,
        text="Приглашение в состав отклонено",
    )  # fmt: skip
    return f"Вы отказались от приглашения в объединение «{invitation.association.name}»."


@transaction.atomic
def invitation_approve(*, invitation: MembershipInvitation, by: User) -> str:
    """The curating methodist (or an admin) approves a leader's invitation instead of the teacher: the membership
    starts today. Idempotent."""
    invitation = _invitation_for_decision(invitation)
    if not allowed(by, "associations.approve_invitation", invitation.association):
        raise WorkflowError("Одобрить приглашение может курирующий методист.")
    if not invitation.is_open:
        return _already_decided(invitation)
    if invitation.association.status != Association.Status.ACTIVE:
        raise WorkflowError("Объединение упразднено: состав не меняется.")
    _invitation_decide(invitation, MembershipInvitation.Decision.APPROVED, by=by)
    today = calendar.today()
    _membership_start(
        association=invitation.association, user=invitation.user, role=invitation.role, on=today,
        how=f" (приглашение одобрено: {by.full_name})",
    )  # fmt: skip
    return f"Включение в состав: {invitation.user.full_name}, с {date_ru(today)}"


@transaction.atomic
def membership_end(*, membership: Membership, by: User) -> str:
    """A member leaves the association at once (a leader leaves only by an order). Returns what happened.

    `end_date` is the last day in the composition, so it becomes yesterday: the member is out today. Ending an
    already ended membership changes nothing and says so (the row is locked, so two clicks write one line).
    """
    today = calendar.today()
    name = membership.user.full_name
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("association", "user")
        .filter(pk=membership.pk)
        .first()
    )
    if membership is None:  # a same-day membership already removed by the first of two clicks
        return f"Выход из состава уже отмечен: {name}."
    if membership.role == Membership.Role.LEADER:
        raise WorkflowError("Руководитель освобождается приказом.")
    if membership.end_date is not None and membership.end_date < today:
        left_on = membership.end_date + datetime.timedelta(days=1)
        return f"Выход из состава уже отмечен: {name}, с {date_ru(left_on)}"
    if membership.association.regulation.composition_by_order:
        # Where the composition is approved by order (Вилюйский, п. 1.3), a member also leaves by that order.
        return _composition_order_add(
            association=membership.association, user=membership.user, role=membership.role, leaves=True
        )
    if membership.start_date >= today:
        # A membership that starts today (or later) has no day left to keep: yesterday would break
        # `membership_dates_ordered`, and today would keep the member in the composition. The row goes; the
        # history line below keeps the fact that the person was included and left.
        membership.delete()
    else:
        membership.end_date = today - datetime.timedelta(days=1)
        membership.save(update_fields=["end_date"])
    AssociationEvent.objects.create(
        association=membership.association, on=today, names_members=True, text=f"Выход из состава: {name}"
    )
    return f"Выход из состава: {name}, с {date_ru(today)}"


def person_erase_traces(*, user: User, full_name: str) -> dict[str, int]:
    """When a person's data are erased (members.services.personal_data_erase): history lines lose the name."""
    if not full_name:
        return {}
    events = AssociationEvent.objects.filter(text__contains=full_name)
    changed = 0
    for event in events:
        event.text = event.text.replace(full_name, "педагог (данные уничтожены)")
        event.save(update_fields=["text"])
        changed += 1
    return {"строки истории объединений": changed} if changed else {}
