"""A meeting from the leader's plan to a signed, published protocol, in Debian's Chromium."""

import datetime
import re

import pytest
from django.apps import apps
from playwright.sync_api import expect

from associations.models import Membership, Regulation
from associations.presets import presets_load
from associations.tests.factories import AssociationFactory, MembershipFactory
from members.tests.browser import PASSWORD, log_in, log_out
from members.tests.factories import UserFactory, give_consent
from rmo_portal import calendar

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_leader_plans_secretary_minutes_both_sign_and_the_public_reads_the_protocol(page, live_server):
    presets_load(apps)
    association = AssociationFactory(name="УМО учителей химии", regulation=Regulation.objects.get(code="vilyuisk-umo"))
    start = calendar.today() - datetime.timedelta(days=30)  # the live server runs on the real clock
    people = {}
    for username, last, role in (
        ("leader", "Андреева", Membership.Role.LEADER),
        ("secretary", "Борисова", Membership.Role.SECRETARY),
        ("member", "Ёлкина", Membership.Role.MEMBER),
    ):
        people[username] = MembershipFactory(
            association=association, role=role, start_date=start,
            user=UserFactory(username=username, last_name=last, first_name="Анна"),
        ).user  # fmt: skip
        give_consent(people[username])

    # The leader plans a meeting for today on the year's schedule.
    log_in(page, live_server, "leader")
    page.goto(f"{live_server.url}{association.get_absolute_url()}")
    page.get_by_role("link", name="График заседаний").click()
    expect(page.get_by_text("не хватает 1 заседания").first).to_be_visible()  # the half-years are empty
    page.get_by_role("link", name="Запланировать заседание").click()
    page.get_by_label("Дата").fill(calendar.today().isoformat())
    page.get_by_label("Время").fill("08:00")
    page.get_by_label("Тема").fill("Подготовка к олимпиаде")
    page.get_by_label("Место").fill("СОШ № 1, каб. 12")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Заседание запланировано")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"г\., 08:00$")).first.click()  # «27 ноября 2026 г., 08:00»
    page.get_by_label("Вопрос").fill("О плане подготовки")
    page.get_by_role("button", name="Добавить в повестку").click()
    expect(page.get_by_text("Вопрос добавлен в повестку")).to_be_visible()
    log_out(page)

    # The secretary marks everyone present and drafts the protocol.
    log_in(page, live_server, "secretary")
    meeting_url = f"{live_server.url}{association.meetings.get().get_absolute_url()}"
    page.goto(meeting_url)
    page.get_by_role("link", name="Отметить присутствующих").click()
    page.get_by_role("button", name="Присутствовали все").click()
    expect(page.get_by_text("Присутствовали 3 из 3 членов объединения")).to_be_visible()
    page.get_by_role("button", name="Оформить протокол").click()
    page.get_by_label("СЛУШАЛИ").fill("Андрееву А. о плане подготовки к муниципальному этапу.")
    page.get_by_label("РЕШИЛИ").fill("Утвердить план подготовки.")
    page.get_by_label("за", exact=True).fill("3")
    page.get_by_role("button", name="Сохранить и отправить на подпись").click()
    expect(page.get_by_text("Протокол отправлен на подпись")).to_be_visible()
    page.get_by_label("Ваш пароль").fill("не тот пароль")
    page.get_by_role("button", name="Подписать").click()
    expect(page.get_by_text("Неверный пароль")).to_be_visible()
    page.get_by_label("Ваш пароль").fill(PASSWORD)
    page.get_by_role("button", name="Подписать").click()
    expect(page.get_by_text("Протокол ждёт остальных подписей")).to_be_visible()
    protocol_url = page.url
    log_out(page)

    # The leader signs too: the protocol is signed and, under this regulation, public.
    log_in(page, live_server, "leader")
    page.goto(protocol_url)
    page.get_by_label("Ваш пароль").fill(PASSWORD)
    page.get_by_role("button", name="Подписать").click()
    expect(page.get_by_text("Протокол подписан всеми")).to_be_visible()
    log_out(page)

    page.goto(protocol_url)
    expect(page.get_by_text("ПРОТОКОЛ № 1", exact=True)).to_be_visible()
    expect(page.get_by_text("Подписано простой электронной подписью")).to_have_count(2)
    expect(page.get_by_text("Утвердить план подготовки.")).to_be_visible()
