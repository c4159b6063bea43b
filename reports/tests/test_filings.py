"""An association's documents: pre-filled with their sources, edited without losing text, discussed and voted on,
submitted as versions, returned with comments by section, accepted and published in the regulation's window."""

import datetime

import pytest
import time_machine
from django.apps import apps
from django.utils import timezone

from associations.models import Document as Kind
from associations.models import Membership, Regulation
from associations.presets import presets_load
from associations.tests.factories import AssociationFactory, MembershipFactory
from meetings import services as meeting_services
from meetings.models import Event, EventParticipant
from members.models import TrainingCourse
from members.tests.factories import TeacherFactory, UserFactory, methodist
from reports import services
from reports.models import Filing, Mentorship, PlanItem
from reports.services import FilingError
from rmo_portal import richtext

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2027, 5, 10, 12, 0))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def umo():
    """A Вилюйский УМО (plan draft by 15 May with discussion and vote; plans published 20–30 August)."""
    presets_load(apps)
    association = AssociationFactory(name="УМО учителей химии", regulation=Regulation.objects.get(code="vilyuisk-umo"))
    curator = methodist(username="curator")
    association.curators.add(curator)
    start = datetime.date(2026, 9, 1)
    people = {}
    for username, role, last in (
        ("leader", Membership.Role.LEADER, "Андреева"),
        ("secretary", Membership.Role.SECRETARY, "Борисова"),
        ("m1", Membership.Role.MEMBER, "Ёлкина"),
        ("m2", Membership.Role.MEMBER, "Яковлева"),
    ):
        teacher = TeacherFactory(user=UserFactory(username=username, last_name=last))
        MembershipFactory(association=association, role=role, start_date=start, user=teacher.user)
        people[username] = teacher.user  # fmt: skip
    return {"association": association, "curator": curator, **people}


def test_plan_goes_through_discussion_vote_return_by_section_and_is_published_in_august(umo):
    plan = services.filing_create(association=umo["association"], kind=Kind.WORK_PLAN, academic_year=2027,
                                  by=umo["leader"])  # fmt: skip
    goal = "Повышение качества\n\n- первое\n- второе"
    plan = services.filing_save(filing=plan, by=umo["leader"], revision=plan.revision,
                                body={"goal": goal, "tasks": "Задачи"})  # fmt: skip
    assert plan.body["goal"] == "<p>Повышение качества</p><ul><li>первое</li><li>второе</li></ul>"
    with pytest.raises(FilingError, match="сначала обсуждают"):
        services.filing_submit(filing=plan, by=umo["leader"])
    plan = services.discussion_open(filing=plan, by=umo["leader"], until=datetime.date(2027, 5, 31))
    services.vote_cast(filing=plan, by=umo["m1"], choice="against")
    services.vote_cast(filing=plan, by=umo["m1"], choice="for")  # changed before the deadline: one vote
    services.vote_cast(filing=plan, by=umo["m2"], choice="abstain")
    assert services.vote_tally(plan) == {"for": 1, "against": 0, "abstain": 1}
    with pytest.raises(FilingError, match="Голосуют члены"):
        services.vote_cast(filing=plan, by=umo["curator"], choice="for")
    with pytest.raises(FilingError, match=r"Обсуждение идёт до 31 мая 2027 г\."):
        services.filing_submit(filing=plan, by=umo["leader"])
    with time_machine.travel(datetime.datetime(2027, 6, 1, 9, tzinfo=datetime.UTC), tick=False):
        with pytest.raises(FilingError, match="Голосование закрыто"):
            services.vote_cast(filing=plan, by=umo["m2"], choice="for")
        plan = services.filing_submit(filing=plan, by=umo["leader"])
        plan = services.filing_return(filing=plan, by=umo["curator"], comment="",
                                      section_comments={"tasks": "Задачи сформулируйте измеримо"})  # fmt: skip
        assert plan.status == Filing.Status.RETURNED
        assert plan.comments.get(review=True).section == "tasks"
        plan = services.filing_save(filing=plan, by=umo["leader"], revision=plan.revision,
                                    body={**plan.body, "tasks": "Задачи: 90 % педагогов — курсы"})  # fmt: skip
        plan = services.filing_submit(filing=plan, by=umo["leader"])
        first, second = plan.versions.order_by("number")
        assert ("+", "Задачи: 90 % педагогов — курсы") in services.version_diff(first, second)
        plan = services.filing_accept(filing=plan, by=umo["curator"])
    assert plan.status == Filing.Status.ACCEPTED and plan.publish_on == datetime.date(2027, 8, 20)
    assert services.filings_publish_due(today=datetime.date(2027, 8, 19)) == 0
    assert services.filings_publish_due(today=datetime.date(2027, 8, 21)) == 1  # a missed day is caught up
    plan.refresh_from_db()
    assert plan.status == Filing.Status.PUBLISHED
    assert list(services.published_search("ЕЛКИНА")) == [] and list(services.published_search("измеримо")) == []
    assert list(services.published_search("КАЧЕСТВА")) == [plan]


def test_second_save_from_an_old_revision_is_a_conflict(umo):
    plan = services.filing_create(association=umo["association"], kind=Kind.WORK_PLAN, academic_year=2027,
                                  by=umo["leader"])  # fmt: skip
    old = plan.revision
    services.filing_save(filing=plan, by=umo["leader"], revision=old, body={"goal": "Первая"})
    with pytest.raises(FilingError, match="сохранил другой пользователь"):
        services.filing_save(filing=plan, by=umo["secretary"], revision=old, body={"goal": "Вторая"})
    plan.refresh_from_db()
    assert richtext.to_text(plan.body["goal"]) == "Первая"


def test_one_document_per_association_year_and_quarter(umo):
    services.filing_create(association=umo["association"], kind=Kind.QUARTERLY_NOTE, academic_year=2026, quarter=3,
                           by=umo["leader"])  # fmt: skip
    with pytest.raises(FilingError, match="уже есть"):
        services.filing_create(association=umo["association"], kind=Kind.QUARTERLY_NOTE, academic_year=2026,
                               quarter=3, by=umo["leader"])  # fmt: skip
    with pytest.raises(FilingError, match="Квартал указывают"):
        services.filing_create(association=umo["association"], kind=Kind.ANNUAL_REPORT, academic_year=2026,
                               quarter=2, by=umo["leader"])  # fmt: skip


def test_annual_report_is_prefilled_from_meetings_events_and_profiles_with_sources(umo):
    association = umo["association"]
    meeting = meeting_services.meeting_plan(
        association=association, by=umo["leader"], topic="Итоги полугодия", place="СОШ № 1",
        starts_at=timezone.make_aware(datetime.datetime(2026, 12, 10, 15)),
    )  # fmt: skip
    meeting_services.attendance_save(meeting=meeting, by=umo["secretary"], marks={}, today=datetime.date(2026, 12, 10))
    event = Event.objects.create(kind=Event.Kind.CONTEST, title="Учитель года", starts_on=datetime.date(2027, 2, 10),
                                 published=True)  # fmt: skip
    event.organisers.add(association)
    EventParticipant.objects.create(event=event, teacher=umo["m1"].teacher, name="Ёлкина",
                                    result=EventParticipant.Result.WINNER)  # fmt: skip
    TrainingCourse.objects.create(
        teacher=umo["m2"].teacher, start_date=datetime.date(2026, 10, 1), end_date=datetime.date(2026, 10, 10),
        provider="ИРО", topic="ФГОС", hours=36,
    )  # fmt: skip
    Mentorship.objects.create(association=association, academic_year=2026, mentee=umo["m2"], mentor=umo["m1"],
                              result="провела открытый урок")  # fmt: skip
    plan = services.filing_create(association=association, kind=Kind.WORK_PLAN, academic_year=2026, by=umo["leader"])
    assert plan.items.get().meetings.get() == meeting  # the schedule starts the plan
    PlanItem.objects.filter(filing=plan).update(outcome=PlanItem.Outcome.DONE)

    report = services.filing_create(association=association, kind=Kind.ANNUAL_REPORT, academic_year=2026,
                                    by=umo["leader"])  # fmt: skip
    text = {key: richtext.to_text(value) for key, value in report.body.items()}
    assert "Проведено заседаний: 1" in text["meetings"] and "10 декабря 2026 г. — Итоги полугодия" in text["meetings"]
    assert "победитель, «Учитель года»" in text["events"]
    assert "Курсы повышения квалификации прошли 1 педагог" in text["growth"]
    assert "Из 1 пунктов плана выполнено 1" in text["plan"]
    assert "наставник" in text["young"] and "провела открытый урок" in text["young"]
    traced = {(s["label"], s["value"], s["source"]) for s in report.sources}
    assert ("заседаний проведено", "1", "график заседаний") in traced
    assert ("победителей и призёров", "1", "итоги мероприятий района") in traced


def test_quarterly_note_counts_only_its_quarter(umo):
    association = umo["association"]
    for day in (datetime.date(2026, 11, 12), datetime.date(2027, 2, 11)):
        meeting = meeting_services.meeting_plan(
            association=association, by=umo["leader"], topic="Заседание", place="СОШ",
            starts_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(15))),
        )  # fmt: skip
        meeting_services.attendance_save(meeting=meeting, by=umo["secretary"], marks={}, today=day)
    note = services.filing_create(association=association, kind=Kind.QUARTERLY_NOTE, academic_year=2026, quarter=2,
                                  by=umo["leader"])  # fmt: skip
    assert note.title == "Аналитическая записка за IV квартал 2026"
    assert "Проведено заседаний: 1" in richtext.to_text(note.body["meetings"])


def test_prose_is_sanitised_on_save(umo):
    plan = services.filing_create(association=umo["association"], kind=Kind.WORK_PLAN, academic_year=2027,
                                  by=umo["leader"])  # fmt: skip
    plan = services.filing_save(
        filing=plan, by=umo["leader"], revision=plan.revision,
        body={"goal": '<p onclick="x()">Цель <a href="javascript:alert(1)">ссылка</a></p><script>bad()</script>'
                      '<table><tr><td>1</td></tr></table>'},
    )  # fmt: skip
    assert "onclick" not in plan.body["goal"] and "javascript" not in plan.body["goal"]
    assert "script" not in plan.body["goal"] and "<td>1</td>" in plan.body["goal"]


def test_methodist_sees_submitted_documents_on_her_start_page_and_the_leader_a_returned_one(umo, login):
    report = services.filing_create(association=umo["association"], kind=Kind.ANNUAL_REPORT, academic_year=2026,
                                    by=umo["leader"])  # fmt: skip
    services.filing_submit(filing=report, by=umo["leader"])
    page = login(umo["curator"]).get("/start/methodist/").content.decode()
    assert "Документы на проверке" in page and "Анализ деятельности за 2026/27 учебный год" in page
    services.filing_return(filing=report, by=umo["curator"], comment="Добавьте итоги олимпиады")
    page = login(umo["leader"]).get("/start/leader/").content.decode()
    assert "Планы и отчёты" in page and "Возвращён на доработку" in page


def test_public_reads_a_published_plan_without_private_sections_or_unconsented_names(umo, client):
    from members.models import ConsentDocument
    from members.services import consent_give

    consent_give(user=umo["m1"], document=ConsentDocument.current(), publish_allowed=True)
    plan = services.filing_create(association=umo["association"], kind=Kind.ANNUAL_REPORT, academic_year=2026,
                                  by=umo["leader"])  # fmt: skip
    names = f"{umo['m1'].get_full_name()} и {umo['m2'].get_full_name()} провели семинар"
    plan = services.filing_save(filing=plan, by=umo["leader"], revision=plan.revision,
                                body={"events": names, "young": "Яковлева — наставник Ёлкина"})  # fmt: skip
    plan = services.filing_submit(filing=plan, by=umo["leader"])
    plan = services.filing_accept(filing=plan, by=umo["curator"], today=datetime.date(2027, 6, 25))
    assert plan.status == Filing.Status.PUBLISHED  # within the window 20–30 June
    page = client.get(plan.get_absolute_url()).content.decode()
    assert umo["m1"].get_full_name() in page and umo["m2"].get_full_name() not in page
    assert "член объединения провели семинар" in page
    assert "наставник" not in page  # the mentorship section names people's situation: members only


def test_plan_item_execution_follows_its_meetings(umo):
    meeting = meeting_services.meeting_plan(
        association=umo["association"], by=umo["leader"], topic="Итоги", place="СОШ",
        starts_at=timezone.make_aware(datetime.datetime(2027, 5, 20, 15)),
    )  # fmt: skip
    plan = services.filing_create(association=umo["association"], kind=Kind.WORK_PLAN, academic_year=2026,
                                  by=umo["leader"])  # fmt: skip
    item = plan.items.get()
    assert item.execution == PlanItem.Outcome.PLANNED
    PlanItem.objects.filter(pk=item.pk).update(date=datetime.date(2027, 4, 15))
    item.refresh_from_db()
    assert item.execution == PlanItem.Outcome.MOVED  # planned for April, the meeting is in May
    meeting_services.attendance_save(meeting=meeting, by=umo["secretary"], marks={}, today=datetime.date(2027, 5, 20))
    item.refresh_from_db()
    assert item.execution == PlanItem.Outcome.DONE


def test_public_section_lists_published_documents_in_fixed_queries_and_search_folds_yo(
    umo, client, django_assert_max_num_queries
):
    report = services.filing_create(association=umo["association"], kind=Kind.ANNUAL_REPORT, academic_year=2026,
                                    by=umo["leader"])  # fmt: skip
    report = services.filing_save(filing=report, by=umo["leader"], revision=report.revision,
                                  body={"problems": "Мало учебников; ёмкость кабинета"})  # fmt: skip
    report = services.filing_submit(filing=report, by=umo["leader"])
    services.filing_accept(filing=report, by=umo["curator"], today=datetime.date(2027, 6, 21))
    draft = services.filing_create(association=umo["association"], kind=Kind.WORK_PLAN, academic_year=2027,
                                   by=umo["leader"])  # fmt: skip
    for n in range(5):
        AssociationFactory(name=f"РМО № {n}")
    with django_assert_max_num_queries(12):
        page = client.get("/methodology/").content.decode()
    assert report.title in page and draft.title not in page
    found = client.get("/methodology/search/", {"q": "ЕМКОСТЬ"}).content.decode()
    assert report.title in found and "Найдено: 1 документ" in found


def test_district_summary_lists_each_owed_document_with_its_state(umo):
    from openpyxl import load_workbook

    from rmo_portal.exports import export_job_run, export_job_start

    report = services.filing_create(association=umo["association"], kind=Kind.ANNUAL_REPORT, academic_year=2026,
                                    by=umo["leader"])  # fmt: skip
    services.filing_submit(filing=report, by=umo["leader"])
    job = export_job_start(kind="documents_summary", title="Сводка", params={"year": ["2026"]}, by=umo["curator"])
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    sheet = load_workbook(job.result.file.open("rb")).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    mine = [r for r in rows if r[0] == "УМО учителей химии"]
    label = "анализ (отчёт) о деятельности за год"
    row = next(r for r in mine if r[1] == label)
    assert row[:4] == ["УМО учителей химии", label, "20 июня 2027 г.", "На проверке у методиста"]
    assert any(r[3] == "не составлен" for r in mine)


def test_mentorship_pairs_show_on_the_plan_and_on_both_profiles(umo, login):
    pair = services.mentorship_save(association=umo["association"], academic_year=2026, mentee=umo["m2"],
                                    mentor=umo["m1"], by=umo["leader"], support="посещение уроков")  # fmt: skip
    with pytest.raises(FilingError, match="самому себе"):
        services.mentorship_save(association=umo["association"], academic_year=2026, mentee=umo["m1"],
                                 mentor=umo["m1"], by=umo["leader"])  # fmt: skip
    with pytest.raises(FilingError, match="члены этого объединения"):
        services.mentorship_save(association=umo["association"], academic_year=2026, mentee=umo["m1"],
                                 mentor=umo["curator"], by=umo["leader"])  # fmt: skip
    client = login(umo["m2"])
    page = client.get(umo["m2"].teacher.get_absolute_url()).content.decode()
    assert "Наставничество, 2026/27" in page and f"Наставник: {umo['m1'].full_name}" in page
    page = login(umo["m1"]).get(umo["m1"].teacher.get_absolute_url()).content.decode()
    assert f"Наставник специалиста: {umo['m2'].full_name}" in page
    plan = services.filing_create(association=umo["association"], kind=Kind.WORK_PLAN, academic_year=2026,
                                  by=umo["leader"])  # fmt: skip
    assert umo["m2"].get_full_name() in plan.body["young"]
    assert pair.pk


def test_portfolio_bundles_the_years_documents_and_protocols_into_one_pdf_with_contents(umo):
    import io

    from pypdf import PdfReader

    from rmo_portal.exports import export_job_run, export_job_start

    report = services.filing_create(association=umo["association"], kind=Kind.ANNUAL_REPORT, academic_year=2026,
                                    by=umo["leader"])  # fmt: skip
    report = services.filing_save(filing=report, by=umo["leader"], revision=report.revision,
                                  body={"problems": "Нехватка учебников"})  # fmt: skip
    services.filing_accept(filing=services.filing_submit(filing=report, by=umo["leader"]), by=umo["curator"],
                           today=datetime.date(2027, 6, 21))  # fmt: skip
    portfolio = services.filing_create(association=umo["association"], kind=Kind.PORTFOLIO, academic_year=2026,
                                       by=umo["leader"])  # fmt: skip
    job = export_job_start(kind="portfolio_pdf", title="Портфолио", params={"filing": [str(portfolio.pk)]},
                           by=umo["leader"])  # fmt: skip
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    reader = PdfReader(io.BytesIO(job.result.file.open("rb").read()))
    first = reader.pages[0].extract_text()
    assert "Содержание" in first and "Анализ деятельности за 2026/27 учебный год" in first
    assert any("Нехватка учебников" in page.extract_text() for page in reader.pages[1:])
    assert len(reader.pages) >= 2  # each part starts on its own page


def test_plan_items_are_linked_to_meetings_and_events_from_the_edit_form(umo, login):
    meeting = meeting_services.meeting_plan(
        association=umo["association"], by=umo["leader"], topic="Итоги", place="СОШ",
        starts_at=timezone.make_aware(datetime.datetime(2027, 5, 20, 15)),
    )  # fmt: skip
    event = Event.objects.create(kind=Event.Kind.SEMINAR, title="Семинар", starts_on=datetime.date(2027, 4, 1))
    event.organisers.add(umo["association"])
    plan = services.filing_create(association=umo["association"], kind=Kind.WORK_PLAN, academic_year=2026,
                                  by=umo["leader"])  # fmt: skip
    item = plan.items.get()
    client = login(umo["leader"])
    response = client.post(f"/documents/{plan.pk}/edit/", {
        "revision": plan.revision, "section_goal": "Цель",
        "item_id": [item.pk, ""], "item_what": [item.what, "Семинар по ФГОС"], "item_month": ["", "4"],
        "item_date": ["", ""], "item_form": ["meeting", "seminar"], "item_responsible": ["", ""],
        "item_expected": ["", ""], "item_outcome": ["planned", "planned"],
        "item_meetings_1": [str(meeting.pk)], "item_events_2": [str(event.pk)],
    })  # fmt: skip
    assert response.status_code == 302
    first, second = plan.items.order_by("position")
    assert list(first.meetings.all()) == [meeting] and list(second.events.all()) == [event]
    assert second.execution == PlanItem.Outcome.DONE  # the seminar took place on 1 April


def test_curator_hears_of_a_submission_and_the_leader_of_the_return_with_the_section_comments(
    umo, django_capture_on_commit_callbacks
):
    from django.core import mail

    umo["curator"].email, umo["leader"].email = "curator@example.ru", "leader@example.ru"
    umo["curator"].save(), umo["leader"].save()
    report = services.filing_create(association=umo["association"], kind=Kind.ANNUAL_REPORT, academic_year=2026,
                                    by=umo["leader"])  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        services.filing_submit(filing=report, by=umo["leader"])
    assert mail.outbox[-1].to == ["curator@example.ru"] and "На проверку" in mail.outbox[-1].subject
    with django_capture_on_commit_callbacks(execute=True):
        services.filing_return(filing=report, by=umo["curator"], comment="Проверьте цифры",
                               section_comments={"problems": "Раскройте подробнее"})  # fmt: skip
    letter = mail.outbox[-1]
    assert letter.to == ["leader@example.ru"]
    assert "— в целом: Проверьте цифры" in letter.body and "— Проблемы: Раскройте подробнее" in letter.body
    assert [h.to_status for h in services.history(report)] == ["submitted", "returned"]


def test_plan_approved_at_a_meeting_says_so_in_its_pdf(umo, login):
    import io

    from pypdf import PdfReader

    meeting = meeting_services.meeting_plan(
        association=umo["association"], by=umo["leader"], topic="Утверждение плана", place="СОШ",
        starts_at=timezone.make_aware(datetime.datetime(2027, 5, 6, 15)),
    )  # fmt: skip
    meeting_services.attendance_save(meeting=meeting, by=umo["secretary"], marks={}, today=datetime.date(2027, 5, 6))
    plan = services.filing_create(association=umo["association"], kind=Kind.WORK_PLAN, academic_year=2027,
                                  by=umo["leader"])  # fmt: skip
    with pytest.raises(FilingError, match="подписанным протоколом"):
        services.filing_approved_at(filing=plan, by=umo["leader"], meeting=meeting)
    protocol = meeting_services.protocol_start(meeting=meeting, by=umo["secretary"])
    item = meeting.items.create(title="О плане", decided="Утвердить план")
    protocol = meeting_services.protocol_submit(protocol=protocol, by=umo["secretary"])
    for signer in (umo["leader"], umo["secretary"]):
        protocol = meeting_services.protocol_sign(protocol=protocol, by=signer, password="пароль-для-тестов-1")
    assert protocol.status == "signed" and item.pk
    client = login(umo["leader"])
    assert client.post(f"/documents/{plan.pk}/approval/", {"meeting": meeting.pk}).status_code == 302
    plan.refresh_from_db()
    plan = services.filing_save(filing=plan, by=umo["leader"], revision=plan.revision, body={"goal": "Цель"})
    Filing.objects.filter(pk=plan.pk).update(status=Filing.Status.ACCEPTED)
    text = PdfReader(io.BytesIO(client.get(f"/documents/{plan.pk}/pdf/").content)).pages[0].extract_text()
    assert "УТВЕРЖДЕНО" in text and f"протокол № {protocol.number} от 6 мая 2027 г." in text


def test_public_search_finds_only_what_the_public_page_shows(umo):
    report = services.filing_create(association=umo["association"], kind=Kind.ANNUAL_REPORT, academic_year=2026,
                                    by=umo["leader"])  # fmt: skip
    report = services.filing_save(filing=report, by=umo["leader"], revision=report.revision,
                                  body={"problems": "Учебники", "young": "Новикова без наставника"})  # fmt: skip
    services.filing_accept(filing=services.filing_submit(filing=report, by=umo["leader"]), by=umo["curator"],
                           today=datetime.date(2027, 6, 21))  # fmt: skip
    assert list(services.published_search("учебники")) and not list(services.published_search("наставника"))


def test_an_outsiders_portfolio_holds_only_what_is_public(umo):
    from members.tests.factories import UserFactory as Users
    from reports.exports import portfolio_context

    event = Event.objects.create(kind=Event.Kind.CONTEST, title="Закрытый конкурс", starts_on=datetime.date(2027, 2, 1))
    event.organisers.add(umo["association"])
    EventParticipant.objects.create(event=event, teacher=umo["m1"].teacher, name="Ёлкина",
                                    result=EventParticipant.Result.WINNER)  # fmt: skip
    portfolio = services.filing_create(association=umo["association"], kind=Kind.PORTFOLIO, academic_year=2026,
                                       by=umo["leader"])  # fmt: skip
    outsider = Users(username="stranger")
    assert portfolio_context(portfolio, outsider)["events"] == []  # unpublished: not theirs to read
    assert portfolio_context(portfolio, umo["leader"])["events"][0].shown_results == [("Ёлкина", "победитель")]
    event.published = True
    event.save()
    assert portfolio_context(portfolio, outsider)["events"][0].shown_results == [
        ("участник (ФИО не публикуется)", "победитель")
    ]


def test_review_queue_runs_the_same_queries_however_many_documents_wait(umo, login, django_assert_max_num_queries):
    client = login(umo["curator"])
    for n in range(6):
        other = AssociationFactory(name=f"УМО № {n}", regulation=umo["association"].regulation)
        other.curators.add(umo["curator"])
        report = services.filing_create(association=other, kind=Kind.ANNUAL_REPORT, academic_year=2026,
                                        by=umo["leader"])  # fmt: skip
        Filing.objects.filter(pk=report.pk).update(status=Filing.Status.SUBMITTED, submitted_at=timezone.now())
    # Session, user, consent, navigation, the list, the regulations' three kinds of rule (prefetched), the session
    # save, the navbar's unread notifications: the due date of every row comes from the prefetched rules, not a query
    # per row.
    with django_assert_max_num_queries(14):
        page = client.get("/documents/review/").content.decode()
    assert page.count("Анализ деятельности за 2026/27 учебный год") == 6 and "20 июня 2027 г." in page
