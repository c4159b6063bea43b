"""Meetings and protocols: the schedule against the regulation's periods, attendance, decisions, the protocol's
drafting, conflicts, signatures with the password, return and correction with versions, publication, the PDF."""

import datetime

import pytest
import time_machine
from django.apps import apps
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from associations.models import Membership, Order, Regulation
from associations.presets import presets_load
from associations.tests.factories import AssociationFactory, MembershipFactory
from meetings import services
from meetings.models import Attendance, Meeting, Protocol, Schedule
from meetings.services import MeetingError
from members.models import ConsentDocument
from members.services import consent_give
from members.tests.factories import UserFactory, methodist
from rmo_portal import calendar, workflow
from rmo_portal.signatures import signature_find, text_hash

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 11, 27, 12, 0))
PASSWORD = "пароль-для-тестов-1"


def at(day: datetime.date, hour: int = 15) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def vilyuisk():
    """An УМО under the Вилюйский preset: half-years, a published schedule, protocol in 3 days, two signatures."""
    presets_load(apps)
    association = AssociationFactory(
        name="УМО учителей математики", regulation=Regulation.objects.get(code="vilyuisk-umo")
    )
    curator = methodist(username="curator")
    association.curators.add(curator)
    start = datetime.date(2026, 9, 1)
    leader = MembershipFactory(
        association=association, role=Membership.Role.LEADER, start_date=start,
        user=UserFactory(username="leader", last_name="Андреева", first_name="Анна"),
    ).user  # fmt: skip
    secretary = MembershipFactory(
        association=association, role=Membership.Role.SECRETARY, start_date=start,
        user=UserFactory(username="secretary", last_name="Борисова", first_name="Вера"),
    ).user  # fmt: skip
    members = [
        MembershipFactory(association=association, start_date=start,
                          user=UserFactory(username=f"m{i}", last_name=name, email=f"m{i}@example.ru")).user
        for i, name in enumerate(["Ёлкина", "Елисеева", "Яковлева"])
    ]  # fmt: skip
    return {"association": association, "leader": leader, "secretary": secretary, "members": members,
            "curator": curator}  # fmt: skip


def _held_meeting(d, day=datetime.date(2026, 11, 25)) -> Meeting:
    meeting = services.meeting_plan(
        association=d["association"], by=d["leader"], starts_at=at(day), topic="Итоги первой четверти", place="СОШ № 1"
    )
    services.agenda_item_save(meeting=meeting, by=d["leader"], title="О результатах ВПР", speaker=d["members"][0])
    services.agenda_item_save(meeting=meeting, by=d["leader"], title="Разное", speaker_name="Гостева И. И., НМЦ")
    services.attendance_save(
        meeting=meeting, by=d["secretary"], marks={d["members"][2].pk: ("excused", "болезнь")}, today=day
    )
    return Meeting.objects.get(pk=meeting.pk)


def _protocol_ready(d, meeting) -> Protocol:
    protocol = services.protocol_start(meeting=meeting, by=d["secretary"])
    items = {
        item.pk: {"heard": "Доклад", "spoke": "", "decided": f"Принять к сведению ({item.position})",
                  "votes_for": 4, "votes_against": 0, "votes_abstained": 0}
        for item in meeting.items.all()
    }  # fmt: skip
    return services.protocol_save(
        protocol=protocol, by=d["secretary"], revision=protocol.revision, place="СОШ № 1, каб. 12",
        chair_name="Андреева А.", secretary_name="Борисова В.", items=items,
    )  # fmt: skip


# --- the schedule ------------------------------------------------------------------------------------------


def test_schedule_is_checked_against_the_half_years_of_the_vilyuisk_preset(vilyuisk):
    services.meeting_plan(
        association=vilyuisk["association"], by=vilyuisk["leader"], starts_at=at(datetime.date(2026, 12, 10)),
        topic="Первое полугодие", place="СОШ № 1",
    )  # fmt: skip
    meetings = list(Meeting.objects.all())
    checks = services.schedule_check(association=vilyuisk["association"], academic_year=2026, meetings=meetings)
    assert [c.period.label for c in checks] == ["I полугодие 2026/27", "II полугодие 2026/27"]
    assert [(c.planned, c.missing) for c in checks] == [(1, 0), (0, 1)]
    assert services.schedule_problems(checks, today=calendar.today()) == [
        "II полугодие 2026/27: не хватает 1 заседания"
    ]


@pytest.mark.parametrize(
    ("code", "labels"),
    [
        ("pechora-rmo", ["1 четверть 2026/27", "2 четверть 2026/27", "3 четверть 2026/27", "4 четверть 2026/27"]),
        ("zalesovo-mmo", ["2026/27 учебный год"]),  # four a year, whenever in the year
    ],
)
def test_schedule_periods_follow_each_preset(code, labels):
    presets_load(apps)
    association = AssociationFactory(regulation=Regulation.objects.get(code=code))
    checks = services.schedule_check(association=association, academic_year=2026, meetings=[])
    assert [c.period.label for c in checks] == labels
    assert all(c.missing >= 1 for c in checks)


def test_approved_vilyuisk_schedule_is_public_and_later_changes_show_with_a_reason(vilyuisk, client):
    meeting = services.meeting_plan(
        association=vilyuisk["association"], by=vilyuisk["leader"], starts_at=at(datetime.date(2026, 12, 10)),
        topic="Первое полугодие", place="СОШ № 1",
    )  # fmt: skip
    url = reverse("meetings:schedule", args=[vilyuisk["association"].pk, 2026])
    assert client.get(url).status_code == 302  # not public before approval: to the log-in page
    schedule = Schedule.objects.get(association=vilyuisk["association"], academic_year=2026)
    services.schedule_approve(schedule=schedule, by=vilyuisk["leader"])
    meeting.refresh_from_db()
    assert meeting.schedule_published
    with pytest.raises(MeetingError, match="укажите причину"):
        services.meeting_update(
            meeting=meeting, by=vilyuisk["leader"], starts_at=at(datetime.date(2026, 12, 11)), topic=meeting.topic,
            place=meeting.place,
        )  # fmt: skip
    services.meeting_update(
        meeting=meeting, by=vilyuisk["leader"], starts_at=at(datetime.date(2026, 12, 11)), topic=meeting.topic,
        place=meeting.place, reason="Совпало с олимпиадой",
    )  # fmt: skip
    page = client.get(url).content.decode()
    assert "Первое полугодие" in page
    assert "Изменения после утверждения" in page and "Совпало с олимпиадой" in page
    assert "дата и время: 10 декабря 2026 г., 15:00 → 11 декабря 2026 г., 15:00" in page


def test_planning_form_warns_before_saving_and_keeps_input_on_error(vilyuisk, login):
    login(vilyuisk["leader"])
    client = login(vilyuisk["leader"])
    url = reverse("meetings:create", args=[vilyuisk["association"].pk])
    page = client.get(url).content.decode()
    assert "I полугодие 2026/27: не хватает 1 заседания" in page
    response = client.post(url, {"day": "2026-12-10", "time": "15:00", "duration_minutes": 90, "topic": "Итоги"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Укажите место проведения или ссылку" in page and 'value="Итоги"' in page
    assert not Meeting.objects.exists()


def test_meeting_invitation_mails_every_member_with_an_address(vilyuisk, django_capture_on_commit_callbacks):
    meeting = services.meeting_plan(
        association=vilyuisk["association"], by=vilyuisk["leader"], starts_at=at(datetime.date(2026, 12, 10)),
        topic="Первое полугодие", place="СОШ № 1",
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.meeting_invite(meeting=meeting, by=vilyuisk["leader"])
    assert sent == 5  # the leader and the secretary are members too
    assert {"m0@example.ru", "m1@example.ru", "m2@example.ru"} <= {m.to[0] for m in mail.outbox}
    assert "10 декабря 2026 г., 15:00" in mail.outbox[0].body


# --- attendance and decisions -----------------------------------------------------------------------------


def test_attendance_all_present_then_exceptions_and_the_meeting_is_held(vilyuisk):
    meeting = _held_meeting(vilyuisk)
    marks = {a.user_id: a.status for a in Attendance.objects.filter(meeting=meeting)}
    assert len(marks) == 5 and marks[vilyuisk["members"][2].pk] == "excused"
    assert meeting.status == Meeting.Status.HELD
    summary = services.attendance_summary(meeting, marks=list(Attendance.objects.filter(meeting=meeting)), guests=[])
    assert summary.label == "Присутствовали 4 из 5 членов объединения"


def test_attendance_cannot_be_marked_before_the_day_and_excuse_needs_a_reason(vilyuisk):
    meeting = services.meeting_plan(
        association=vilyuisk["association"], by=vilyuisk["leader"], starts_at=at(datetime.date(2026, 12, 10)),
        topic="Будущее", place="СОШ № 1",
    )  # fmt: skip
    with pytest.raises(MeetingError, match="в день заседания"):
        services.attendance_save(meeting=meeting, by=vilyuisk["secretary"], marks={})
    with pytest.raises(MeetingError, match="укажите причину"):
        services.attendance_save(
            meeting=meeting, by=vilyuisk["secretary"], marks={vilyuisk["members"][0].pk: ("excused", " ")},
            today=datetime.date(2026, 12, 10),
        )  # fmt: skip
    assert not Attendance.objects.exists()


def test_decision_proposed_for_a_binding_order_links_back(vilyuisk):
    meeting = _held_meeting(vilyuisk)
    item = meeting.items.first()
    decision = services.decision_add(
        item=item, by=vilyuisk["secretary"], text="Провести единый диктант", responsible=vilyuisk["members"][0],
        due_on=datetime.date(2026, 12, 20),
    )  # fmt: skip
    order = services.decision_propose_binding(decision=decision, by=vilyuisk["leader"])
    decision.refresh_from_db()
    assert decision.binding_order == order
    assert order.kind == Order.Kind.MAKE_BINDING and order.drafted_by == vilyuisk["curator"]
    assert "Провести единый диктант" in order.text
    assert order.origin_url == meeting.get_absolute_url()  # the order's page links back to the meeting
    with pytest.raises(MeetingError, match="уже подготовлен"):
        services.decision_propose_binding(decision=decision, by=vilyuisk["leader"])


# --- the protocol ----------------------------------------------------------------------------------------


def test_votes_cannot_exceed_those_present(vilyuisk):
    meeting = _held_meeting(vilyuisk)
    protocol = services.protocol_start(meeting=meeting, by=vilyuisk["secretary"])
    item = meeting.items.first()
    with pytest.raises(MeetingError, match="больше, чем присутствовало"):
        services.protocol_save(
            protocol=protocol, by=vilyuisk["secretary"], revision=protocol.revision, place="", chair_name="",
            secretary_name="", items={item.pk: {"decided": "Да", "votes_for": 5, "votes_against": 0}},
        )  # fmt: skip


def test_second_save_from_an_old_revision_is_a_conflict_and_overwrites_nothing(vilyuisk, login):
    meeting = _held_meeting(vilyuisk)
    protocol = services.protocol_start(meeting=meeting, by=vilyuisk["secretary"])
    item = meeting.items.first()
    url = reverse("meetings:protocol_edit", args=[protocol.pk])
    first = {"revision": protocol.revision, "place": "А", f"item_{item.pk}_decided": "Текст секретаря"}
    second = {"revision": protocol.revision, "place": "Б", f"item_{item.pk}_decided": "Текст руководителя"}
    assert login(vilyuisk["secretary"]).post(url, first).status_code == 302
    response = login(vilyuisk["leader"]).post(url, second)
    page = response.content.decode()
    assert response.status_code == 200
    assert "сохранил другой пользователь" in page and "Текст руководителя" in page
    item.refresh_from_db()
    assert item.decided == "Текст секретаря"


def test_both_sign_in_either_order_with_their_password_and_the_text_is_frozen_and_published(vilyuisk):
    meeting = _held_meeting(vilyuisk)
    protocol = _protocol_ready(vilyuisk, meeting)
    with pytest.raises(MeetingError, match="сейчас его не подписывают"):
        services.protocol_sign(protocol=protocol, by=vilyuisk["secretary"], password=PASSWORD)
    protocol = services.protocol_submit(protocol=protocol, by=vilyuisk["secretary"])
    with pytest.raises(MeetingError, match="Неверный пароль"):
        services.protocol_sign(protocol=protocol, by=vilyuisk["secretary"], password="не тот")
    protocol = services.protocol_sign(protocol=protocol, by=vilyuisk["secretary"], password=PASSWORD)
    assert protocol.status == Protocol.Status.SIGNING
    assert services.protocol_missing_roles(protocol) == [Membership.Role.LEADER]
    with pytest.raises(MeetingError, match="не требуется или уже поставлена"):
        services.protocol_sign(protocol=protocol, by=vilyuisk["secretary"], password=PASSWORD)
    protocol = services.protocol_sign(protocol=protocol, by=vilyuisk["leader"], password=PASSWORD)
    assert protocol.status == Protocol.Status.SIGNED and protocol.published
    version = protocol.versions.get()
    signatures = services.protocol_signatures(protocol)
    assert len(signatures) == 2 and {s.document_hash for s in signatures} == {text_hash(version.text)}
    assert signature_find(signatures[0].code.lower()) == signatures[0]
    # The due date is the meeting's day plus the regulation's 3 days; signed on 27 November: on time.
    assert protocol.due_on == datetime.date(2026, 11, 28) and protocol.days_late() is None
    with pytest.raises(MeetingError, match="текст сейчас не меняется"):
        services.protocol_save(protocol=protocol, by=vilyuisk["secretary"], revision=protocol.revision, place="",
                               chair_name="", secretary_name="", items={})  # fmt: skip


def test_a_protocol_signed_after_its_term_is_marked_late_with_the_days(vilyuisk):
    meeting = _held_meeting(vilyuisk, day=datetime.date(2026, 11, 16))
    protocol = services.protocol_submit(protocol=_protocol_ready(vilyuisk, meeting), by=vilyuisk["secretary"])
    services.protocol_sign(protocol=protocol, by=vilyuisk["secretary"], password=PASSWORD)
    protocol = services.protocol_sign(protocol=protocol, by=vilyuisk["leader"], password=PASSWORD)
    assert protocol.due_on == datetime.date(2026, 11, 19)
    assert protocol.late_label() == "подписан с опозданием на 8 дней"


def test_methodist_returns_and_the_corrected_protocol_is_signed_again_as_a_new_version(vilyuisk):
    meeting = _held_meeting(vilyuisk)
    protocol = services.protocol_submit(protocol=_protocol_ready(vilyuisk, meeting), by=vilyuisk["secretary"])
    services.protocol_sign(protocol=protocol, by=vilyuisk["secretary"], password=PASSWORD)
    protocol = services.protocol_sign(protocol=protocol, by=vilyuisk["leader"], password=PASSWORD)
    protocol = services.protocol_return(protocol=protocol, by=vilyuisk["curator"], comment="Нет голосования по п. 2")
    assert protocol.status == Protocol.Status.RETURNED and not protocol.published
    item = meeting.items.last()
    services.protocol_save(
        protocol=protocol, by=vilyuisk["secretary"], revision=protocol.revision, place="СОШ № 1, каб. 12",
        chair_name="Андреева А.", secretary_name="Борисова В.",
        items={item.pk: {"decided": "Поручить подготовить диктант", "votes_for": 3, "votes_against": 1}},
    )  # fmt: skip
    protocol = services.protocol_submit(protocol=protocol, by=vilyuisk["secretary"])
    assert protocol.version == 2 and protocol.status == Protocol.Status.SIGNING
    assert services.protocol_missing_roles(protocol) == [Membership.Role.LEADER, Membership.Role.SECRETARY]
    first, second = protocol.versions.order_by("number")
    assert second.reason == "Нет голосования по п. 2"
    diff = services.version_diff(first, second)
    assert ("+", "РЕШИЛИ: Поручить подготовить диктант") in diff
    assert ("-", "РЕШИЛИ: Принять к сведению (2)") in diff


def test_correction_of_a_signed_protocol_keeps_the_signed_version(vilyuisk):
    meeting = _held_meeting(vilyuisk)
    protocol = services.protocol_submit(protocol=_protocol_ready(vilyuisk, meeting), by=vilyuisk["secretary"])
    services.protocol_sign(protocol=protocol, by=vilyuisk["secretary"], password=PASSWORD)
    protocol = services.protocol_sign(protocol=protocol, by=vilyuisk["leader"], password=PASSWORD)
    with pytest.raises(MeetingError, match="причину"):
        services.protocol_correct(protocol=protocol, by=vilyuisk["secretary"], reason="")
    protocol = services.protocol_correct(protocol=protocol, by=vilyuisk["secretary"], reason="Опечатка в ФИО")
    assert protocol.status == Protocol.Status.DRAFT
    assert protocol.versions.count() == 1  # the signed text stays
    assert len(services.protocol_signatures(protocol)) == 2  # still the signatures of version 1


def test_public_protocol_hides_names_without_consent_and_the_pdf_has_stamps(vilyuisk, client):
    document = ConsentDocument.current()
    consent_give(user=vilyuisk["members"][0], document=document, publish_allowed=True)
    meeting = _held_meeting(vilyuisk)
    protocol = services.protocol_submit(protocol=_protocol_ready(vilyuisk, meeting), by=vilyuisk["secretary"])
    services.protocol_sign(protocol=protocol, by=vilyuisk["secretary"], password=PASSWORD)
    protocol = services.protocol_sign(protocol=protocol, by=vilyuisk["leader"], password=PASSWORD)
    page = client.get(protocol.get_absolute_url()).content.decode()
    assert "ПРОТОКОЛ № 1" in page
    assert vilyuisk["members"][0].get_full_name() in page  # consented to publication
    assert vilyuisk["members"][1].get_full_name() not in page
    assert "Присутствовали:</strong> 4 человека:" in page and "и ещё 3 члена объединения" in page
    response = client.get(reverse("meetings:protocol_pdf", args=[protocol.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(__import__("io").BytesIO(response.content)).pages)
    assert "ПРОТОКОЛ № 1" in text and "Код проверки" in text
    assert services.protocol_signatures(protocol)[0].code_label in text


def test_unsigned_protocol_is_not_public(vilyuisk, client):
    meeting = _held_meeting(vilyuisk)
    protocol = _protocol_ready(vilyuisk, meeting)
    response = client.get(protocol.get_absolute_url())
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_sign_page_asks_the_password_again_and_keeps_the_page_on_a_wrong_one(vilyuisk, login):
    meeting = _held_meeting(vilyuisk)
    protocol = services.protocol_submit(protocol=_protocol_ready(vilyuisk, meeting), by=vilyuisk["secretary"])
    client = login(vilyuisk["secretary"])
    url = reverse("meetings:protocol_sign", args=[protocol.pk])
    response = client.post(url, {"password": "не тот"})
    assert response.status_code == 200 and "Неверный пароль" in response.content.decode()
    response = client.post(url, {"password": PASSWORD})
    assert response.status_code == 302
    assert len(services.protocol_signatures(protocol)) == 1


def test_pdf_of_a_frozen_protocol_is_kept_but_never_misses_a_later_signature(vilyuisk, client, login):
    meeting = _held_meeting(vilyuisk)
    protocol = services.protocol_submit(protocol=_protocol_ready(vilyuisk, meeting), by=vilyuisk["secretary"])
    services.protocol_sign(protocol=protocol, by=vilyuisk["secretary"], password=PASSWORD)
    client = login(vilyuisk["curator"])
    url = reverse("meetings:protocol_pdf", args=[protocol.pk])

    def pdf_text() -> str:
        response = client.get(url)
        return "".join(p.extract_text() for p in PdfReader(__import__("io").BytesIO(response.content)).pages)

    first = pdf_text()
    assert first == pdf_text()  # the same version, the same stamps: the kept file
    protocol = services.protocol_sign(protocol=protocol, by=vilyuisk["leader"], password=PASSWORD)
    codes = [s.code_label for s in services.protocol_signatures(protocol)]
    second = pdf_text()
    assert all(code in second for code in codes) and not all(code in first for code in codes)


def test_a_returned_protocol_is_mailed_to_its_secretary_and_leader_with_the_comment(
    vilyuisk, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://rmo.example.ru"
    meeting = _held_meeting(vilyuisk)
    protocol = services.protocol_submit(protocol=_protocol_ready(vilyuisk, meeting), by=vilyuisk["secretary"])
    services.protocol_sign(protocol=protocol, by=vilyuisk["secretary"], password=PASSWORD)
    protocol = services.protocol_sign(protocol=protocol, by=vilyuisk["leader"], password=PASSWORD)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.protocol_return(protocol=protocol, by=vilyuisk["curator"], comment="Нет голосования по п. 2")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([vilyuisk["leader"].email, vilyuisk["secretary"].email])
    letter = mail.outbox[0]
    assert letter.subject == f"Протокол № {protocol.number} возвращён на доработку"
    assert f"{vilyuisk['curator'].full_name} возвращает на доработку протокол № {protocol.number}" in letter.body
    assert "Что исправить: Нет голосования по п. 2" in letter.body
    assert f"https://rmo.example.ru{protocol.get_absolute_url()}" in letter.body
    assert [c.to_status_label for c in workflow.history_of(protocol)][-1] == "Возвращён на доработку"


def test_public_meeting_page_names_only_consenting_speakers_and_added_meetings_show_as_changes(vilyuisk, client):
    meeting = services.meeting_plan(
        association=vilyuisk["association"], by=vilyuisk["leader"], starts_at=at(datetime.date(2026, 12, 10)),
        topic="Первое полугодие", place="СОШ № 1",
    )  # fmt: skip
    services.agenda_item_save(meeting=meeting, by=vilyuisk["leader"], title="Доклад", speaker=vilyuisk["members"][1])
    schedule = Schedule.objects.get(association=vilyuisk["association"], academic_year=2026)
    schedule = services.schedule_approve(schedule=schedule, by=vilyuisk["leader"])
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Доклад" in page and vilyuisk["members"][1].get_full_name() not in page and "член объединения" in page
    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        services.meeting_plan(
            association=vilyuisk["association"], by=vilyuisk["leader"], starts_at=at(datetime.date(2027, 3, 10)),
            topic="Дополнительное", place="СОШ № 1",
        )  # fmt: skip
    changes = services.schedule_changes_after_approval(schedule)
    assert changes and changes[0].changes == ["добавлено заседание: 10 марта 2027 г., 15:00"]
