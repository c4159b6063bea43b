"""Next year's plan through its whole cycle, in Debian's Chromium, with the portal's clock frozen at each step."""

import datetime

import pytest
import time_machine
from django.apps import apps
from playwright.sync_api import expect

from associations.models import Membership, Regulation
from associations.presets import presets_load
from associations.tests.factories import AssociationFactory, MembershipFactory
from members.tests.browser import log_in, log_out
from members.tests.factories import TeacherFactory, UserFactory, give_consent, methodist
from reports.services import filings_publish_due

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def at(*args) -> datetime.datetime:
    # Later than the real day the suite runs, so that the browser keeps the session cookie the server dates.
    return datetime.datetime(*args, tzinfo=datetime.UTC)


def test_plan_is_discussed_voted_returned_by_section_fixed_accepted_and_published_on_20_august(page, live_server):
    with time_machine.travel(at(2027, 5, 16, 7), tick=True):
        presets_load(apps)
        association = AssociationFactory(
            name="УМО учителей биологии", regulation=Regulation.objects.get(code="vilyuisk-umo")
        )
        association.curators.add(methodist(username="curator"))
        give_consent(association.curators.get())
        for username, last, role in (("leader", "Андреева", Membership.Role.LEADER),
                                     ("member", "Ёлкина", Membership.Role.MEMBER)):  # fmt: skip
            teacher = TeacherFactory(user=UserFactory(username=username, last_name=last, first_name="Анна"))
            MembershipFactory(association=association, role=role, start_date=datetime.date(2026, 9, 1),
                              user=teacher.user)  # fmt: skip
            give_consent(teacher.user)

        log_in(page, live_server, "leader")
        page.goto(f"{live_server.url}/associations/{association.pk}/documents/2027/")
        page.get_by_role("row", name="План работы").get_by_role("button", name="Составить").click()
        page.get_by_label("Цель").fill("Повышение качества биологического образования")
        page.get_by_label("Задачи").fill("- подготовка к ОГЭ\n- экологический практикум")
        page.get_by_role("button", name="Сохранить").click()
        expect(page.get_by_text("Документ сохранён")).to_be_visible()
        page.get_by_label("Обсуждение до (включительно)").fill("2027-05-31")
        page.get_by_role("button", name="Открыть обсуждение и голосование").click()
        expect(page.get_by_text("открыт для обсуждения и голосования")).to_be_visible()
        plan_url = page.url
        log_out(page)

        log_in(page, live_server, "member")
        page.goto(plan_url)
        page.get_by_label("Комментарий").fill("Добавить олимпиадную подготовку")
        page.get_by_label("К разделу").select_option(label="Задачи")
        page.get_by_role("button", name="Добавить комментарий").click()
        page.get_by_label("за", exact=True).check()
        page.get_by_role("button", name="Проголосовать").click()
        expect(page.get_by_text("Голоса: за — 1, против — 0, воздержались — 0.")).to_be_visible()
        log_out(page)

    with time_machine.travel(at(2027, 6, 1, 7), tick=True):
        log_in(page, live_server, "leader")
        page.goto(plan_url)
        page.get_by_role("button", name="Отправить методисту").click()
        expect(page.get_by_text("отправлен методисту на проверку")).to_be_visible()
        log_out(page)

        log_in(page, live_server, "curator")
        expect(page.get_by_text("Документы на проверке", exact=True)).to_be_visible()
        page.get_by_role("link", name="План работы на 2027/28 учебный год").first.click()
        page.get_by_label("Замечание к разделу «Задачи»").fill("Задачи сформулируйте измеримо")
        page.get_by_role("button", name="Вернуть на доработку").click()
        expect(page.get_by_text("возвращён руководителю")).to_be_visible()
        log_out(page)

        log_in(page, live_server, "leader")
        page.goto(plan_url)
        expect(page.get_by_text("Задачи сформулируйте измеримо")).to_be_visible()  # beside its section
        page.get_by_role("link", name="Редактировать").click()
        page.get_by_label("Задачи").fill("- 90 % выпускников сдают ОГЭ на «4» и «5»\n- олимпиадная подготовка")
        page.get_by_role("button", name="Сохранить").click()
        page.get_by_role("button", name="Отправить методисту").click()
        page.get_by_role("link", name="Сравнить версии").click()
        expect(page.get_by_text("+ • олимпиадная подготовка")).to_be_visible()
        log_out(page)

        log_in(page, live_server, "curator")
        page.goto(plan_url)
        page.get_by_role("button", name="Принять").click()
        expect(page.get_by_text("будет опубликован 20.08.2027")).to_be_visible()
        log_out(page)

        page.goto(f"{live_server.url}/methodology/")
        expect(page.get_by_role("link", name="План работы на 2027/28 учебный год")).to_have_count(0)

    with time_machine.travel(at(2027, 8, 20, 0, 30), tick=True):
        assert filings_publish_due() == 1  # beat's daily task
        page.goto(f"{live_server.url}/methodology/")
        page.get_by_role("link", name="План работы на 2027/28 учебный год").click()
        expect(page.get_by_text("Повышение качества биологического образования")).to_be_visible()
        expect(page.get_by_text("Добавить олимпиадную подготовку")).to_have_count(0)  # members' comments stay inside


def test_methodist_on_a_phone_scrolls_the_deadline_grid_inside_its_box_and_waives_an_obligation(page, live_server):
    from reports.models import Obligation

    with time_machine.travel(at(2027, 3, 15, 7), tick=True):
        association = AssociationFactory(name="РМО учителей математики")
        curator = methodist(username="curator")
        give_consent(curator)
        association.curators.add(curator)
        documents = ["plan_draft", "work_plan", "annual_report", "portfolio", "self_assessment"]
        for n, document in enumerate(documents):  # five columns: wider than a phone
            Obligation.objects.create(
                association=association, rule_key=f"test:{n}", period_key="2026", kind="document", document=document,
                what=f"документ № {n + 1}", academic_year=2026, due=datetime.date(2026, 10 + n // 3, 1 + n),
                status=Obligation.Status.OVERDUE if n == 0 else Obligation.Status.FULFILLED_ON_TIME,
            )  # fmt: skip

        page.set_viewport_size({"width": 390, "height": 844})
        log_in(page, live_server, "curator")
        page.goto(f"{live_server.url}/deadlines/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the page itself does not scroll
        grid = page.get_by_role("region", name="Сроки по объединениям")
        assert grid.evaluate("box => box.scrollWidth > box.clientWidth")  # the grid scrolls inside its box
        expect(grid.get_by_role("rowheader", name="РМО учителей математики")).to_be_visible()
        grid.get_by_role("link", name="Просрочено").click()
        expect(page.locator("h1")).to_have_text("Документ № 1")
        page.get_by_role("button", name="Снять обязательство").click()
        expect(page.get_by_text("Укажите, почему обязательство снимается.")).to_be_visible()
        page.get_by_label("Почему обязательство снимается").fill("Объединение на карантине")
        page.get_by_role("button", name="Снять обязательство").click()
        expect(page.get_by_text("Обязательство снято")).to_be_visible()
        expect(page.get_by_text("Снято", exact=True).first).to_be_visible()
        expect(page.get_by_text("«Объединение на карантине»").first).to_be_visible()
