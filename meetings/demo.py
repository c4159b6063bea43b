"""The demo district's year of meetings: for the demo leader's association (Вилюйский preset) two past meetings
with signed protocols (one signed late), one held last week whose protocol is still a draft, and coming ones on
an approved, published schedule; for the others, a planned meeting each. Running it again changes nothing."""

import datetime

from django.db import transaction
from django.utils import timezone

from associations.demo import ASSOCIATIONS, DEMO_START
from associations.models import Association, Membership
from members.models import User
from rmo_portal import calendar
from rmo_portal.models import Signature
from rmo_portal.signatures import signature_create

from . import services
from .models import Meeting, Protocol, Schedule


def _at(day: datetime.date, hour: int = 15) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _year_day(month: int, day: int) -> datetime.date:
    return calendar.day_in_year(DEMO_START.year, month, day)


# (month, day, topic, agenda items)
PAST = [
    (9, 24, "Планирование работы на 2026/27 учебный год",
     ["Об утверждении плана работы объединения", "О графике открытых уроков",
      "О подготовке к школьному этапу олимпиады"]),
    (10, 29, "Итоги первой четверти и школьного этапа олимпиады",
     ["Анализ результатов школьного этапа ВсОШ", "Обмен опытом: подготовка к итоговому сочинению"]),
    (11, 19, "Подготовка к итоговому сочинению",
     ["Методические рекомендации ФИПИ 2026/27", "Разное"]),
]  # fmt: skip
COMING = [
    (12, 17, "Функциональная грамотность на уроках литературы"),
    (3, 18, "Подготовка к ОГЭ и ЕГЭ: типичные ошибки"),
    (5, 20, "Итоги года и проект плана на 2027/28 учебный год"),
]


def _sign_all(protocol: Protocol, *, on: datetime.datetime) -> Protocol:
    """Sign as each required signer, dated `on`: the demo stands in for their password (a real signature asks it)."""
    protocol = services.protocol_submit(protocol=protocol, by=_leader(protocol.association))
    for role in services.protocol_required_roles(protocol.association):
        signer = services._role_holders(protocol.association, role, on=calendar.today())[0]
        with transaction.atomic():
            signature_create(
                document_key=protocol.document_key, document_version=protocol.version,
                document_title=str(protocol), document_url=protocol.get_absolute_url(),
                text=protocol.versions.get(number=protocol.version).text, signer=signer,
                role_label=services.ROLE_LABELS[role],
            )  # fmt: skip
    Signature.objects.filter(document_key=protocol.document_key).update(signed_at=on)
    rule = services.protocol_rule(protocol.association)
    services._protocol_move(
        protocol, Protocol.Status.SIGNED, by=None, comment="Демо: подписан",
        extra_fields={"signed_at": on, "published": bool(rule and rule.scan_published)},
    )  # fmt: skip
    return protocol


def _leader(association: Association) -> User:
    return services._role_holders(association, Membership.Role.LEADER, on=calendar.today())[0]


def _held(association: Association, leader: User, secretary: User, month: int, day: int, topic: str, items: list):
    meeting = services.meeting_plan(
        association=association, by=leader, starts_at=_at(_year_day(month, day)), topic=topic,
        place="МБОУ «СОШ № 1 г. Печоры», каб. 21",
    )  # fmt: skip
    members = services.meeting_members(meeting)
    for position, title in enumerate(items):
        speaker = members[(position + 2) % len(members)] if members else None
        services.agenda_item_save(meeting=meeting, by=leader, title=title, speaker=speaker)
    absent = {members[-1].pk: ("excused", "курсы повышения квалификации")} if len(members) > 3 else {}
    services.attendance_save(meeting=meeting, by=secretary, marks=absent, today=meeting.day)
    protocol = services.protocol_start(meeting=meeting, by=secretary)
    present = len(members) - len(absent)
    texts = {
        item.pk: {
            "heard": f"{item.speaker_label or leader.get_full_name()} — сообщение по вопросу «{item.title}».",
            "spoke": "Члены объединения поделились опытом, вопросов к докладчику нет.",
            "decided": f"Информацию по вопросу «{item.title}» принять к сведению и использовать в работе.",
            "votes_for": present, "votes_against": 0, "votes_abstained": 0,
        }
        for item in meeting.items.all()
    }  # fmt: skip
    services.protocol_save(
        protocol=protocol, by=secretary, revision=protocol.revision, place=protocol.place,
        chair_name=leader.get_full_name(), secretary_name=secretary.get_full_name(), items=texts,
    )  # fmt: skip
    first = meeting.items.first()
    if first and len(members) > 4:
        services.decision_add(
            item=first, by=secretary, text="Подготовить открытые уроки для молодых специалистов",
            responsible=members[4], due_on=meeting.day + datetime.timedelta(days=45),
        )  # fmt: skip
    return meeting, Protocol.objects.get(pk=protocol.pk)


@transaction.atomic
def demo_seed_meetings() -> dict:
    """The year of meetings described above; nothing when the demo leader's association has meetings already."""
    association = Association.objects.filter(name=ASSOCIATIONS[0][0]).first()
    if association is None or Meeting.objects.filter(association=association).exists():
        return {}
    leader = _leader(association)
    secretary = services._role_holders(association, Membership.Role.SECRETARY, on=calendar.today())[0]
    created = 0
    for index, (month, day, topic, items) in enumerate(PAST):
        meeting, protocol = _held(association, leader, secretary, month, day, topic, items)
        created += 1
        if index == 0:  # signed two days after the meeting: on time
            _sign_all(protocol, on=_at(meeting.day + datetime.timedelta(days=2), 17))
        elif index == 1:  # signed eight days after: five days late under the 3-day rule
            _sign_all(protocol, on=_at(meeting.day + datetime.timedelta(days=8), 12))
        # the last one: held, its protocol still a draft
    for month, day, topic in COMING:
        services.meeting_plan(
            association=association, by=leader, starts_at=_at(_year_day(month, day)), topic=topic,
            place="МБОУ «Лицей г. Печоры», актовый зал",
        )  # fmt: skip
        created += 1
    schedule = Schedule.objects.get(association=association, academic_year=DEMO_START.year)
    services.schedule_approve(schedule=schedule, by=leader)
    Schedule.objects.filter(pk=schedule.pk).update(approved_at=_at(_year_day(9, 10), 10))
    for name, *_ in ASSOCIATIONS[1:]:
        other = Association.objects.filter(name=name).first()
        if other is None or not Membership.objects.filter(association=other, role=Membership.Role.LEADER).exists():
            continue
        services.meeting_plan(
            association=other, by=_leader(other), starts_at=_at(_year_day(12, 10 + created % 5)),
            topic="Итоги первого полугодия", place="Районный методический центр",
        )  # fmt: skip
        created += 1
    return {"demo:заседаний": created}
