"""The first-run setup of a real installation: the administrator's first log-in opens it; each step is saved on its
own (the names, the academic year and terms, the regulation copied from a preset, the head's and methodists'
accounts with a letter to set a password); bad input gets Russian messages beside the fields and saves nothing."""

import datetime

import pytest
import time_machine
from django.apps import apps
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from associations.models import AcademicYear, Regulation
from associations.presets import presets_load
from members.models import Role, User
from members.tests.factories import give_consent, portal_admin
from rmo_portal import calendar
from rmo_portal.district import district
from rmo_portal.models import District

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 8, 20, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def admin_client(client):
    presets_load(apps)
    user = portal_admin(username="admin")
    give_consent(user)
    client.force_login(user)
    with time_machine.travel(NOW, tick=False), override_settings(FIRST_RUN_SETUP=True):
        yield client


def test_the_first_log_in_of_a_real_installation_opens_the_setup_and_finishing_it_opens_the_start_page(admin_client):
    assert admin_client.get(reverse("start_admin"))["Location"] == reverse("setup")
    page = admin_client.get(reverse("setup")).content.decode()
    assert "Настройка портала района" in page and page.count("Не сделано") == 4
    response = admin_client.post(reverse("setup_finish"))
    assert response["Location"] == reverse("start_admin")
    assert admin_client.get(reverse("start_admin")).status_code == 200
    assert district().configured


def test_the_demo_district_is_configured_and_never_asks(client):
    from associations.demo import demo_seed

    autumn = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(autumn, tick=False):
        demo_seed()
    admin = User.objects.get(username="admin")
    client.force_login(admin)
    with override_settings(FIRST_RUN_SETUP=True), time_machine.travel(autumn, tick=False):
        assert client.get(reverse("start_admin")).status_code == 200


def test_the_districts_names_are_saved_and_shown_on_every_page_at_once(admin_client):
    url = reverse("setup_step", args=["district"])
    page = admin_client.get(url).content.decode()
    assert "Печорский район" in page  # the environment's defaults are filled in
    data = {"name": "Залесовский район", "name_genitive": "Залесовского района", "time_zone": "Asia/Novosibirsk",
            "organisation_name": "Комитет по образованию администрации Залесовского района",
            "portal_name": "Методический портал Залесовского района"}  # fmt: skip
    response = admin_client.post(url, data)
    assert response["Location"] == reverse("setup_step", args=["year"])
    row = District.objects.get()
    assert (row.name_genitive, row.time_zone, row.setup_steps) == ("Залесовского района", "Asia/Novosibirsk",
                                                                   ["district"])  # fmt: skip
    home = admin_client.get(reverse("setup")).content.decode()  # the navbar and the footer
    assert "Методический портал Залесовского района" in home and "Залесовский район" in home
    # Without a name: the message beside the field, the rest kept.
    data["name"] = ""
    page = admin_client.post(url, data).content.decode()
    assert "Обязательное поле." in page and "Залесовского района" in page


def test_the_district_time_zone_decides_what_today_is():
    District(portal_name="П", name="Вилюйский улус", name_genitive="Вилюйского улуса", organisation_name="У",
             time_zone="Asia/Yakutsk").save()  # fmt: skip
    district()  # the names are cached, as after any page
    with time_machine.travel(datetime.datetime(2026, 11, 27, 20, 0, tzinfo=datetime.UTC), tick=False):
        assert calendar.today() == datetime.date(2026, 11, 28)  # 05:00 in Yakutsk, 23:00 in Moscow


def test_the_academic_year_is_filled_with_the_usual_dates_and_checked(admin_client):
    url = reverse("setup_step", args=["year"])
    page = admin_client.get(url).content.decode()
    assert 'value="2026-09-01"' in page and 'value="2027-08-31"' in page
    data = {"start_year": 2026, "starts_on": "2026-09-01", "ends_on": "2027-08-31",
            "term1_starts": "2026-09-01", "term1_ends": "2026-10-25", "term2_starts": "2026-10-20",
            "term2_ends": "2026-12-28", "term3_starts": "2027-01-09", "term3_ends": "2027-03-21",
            "term4_starts": "2027-03-30", "term4_ends": "2027-05-26"}  # fmt: skip
    page = admin_client.post(url, data).content.decode()
    assert "Четверть начинается после окончания предыдущей." in page and 'value="2026-10-20"' in page
    assert not AcademicYear.objects.filter(start_year=2026, starts_on=datetime.date(2026, 9, 1)).exists() or (
        not AcademicYear.objects.get(start_year=2026).terms.filter(ends_on=datetime.date(2026, 10, 25)).exists()
    )
    data["term2_starts"] = "2026-11-03"
    assert admin_client.post(url, data).status_code == 302
    year = AcademicYear.objects.get(start_year=2026)
    assert [(t.starts_on, t.ends_on) for t in year.terms.order_by("number")][1] == (
        datetime.date(2026, 11, 3), datetime.date(2026, 12, 28),
    )  # fmt: skip
    assert calendar.shape(2026).terms[1] == (datetime.date(2026, 11, 3), datetime.date(2026, 12, 28))


def test_the_regulation_is_a_copy_of_a_preset_or_empty(admin_client):
    url = reverse("setup_step", args=["regulation"])
    page = admin_client.get(url).content.decode()
    assert "Пустое положение" in page and Regulation.objects.get(code="vilyuisk-umo").title in page
    admin_client.post(url, {"preset": "vilyuisk-umo"})
    copy = Regulation.objects.get(code="district")
    source = Regulation.objects.get(code="vilyuisk-umo")
    assert copy.copied_from == source and copy.document_rules.count() == source.document_rules.count() > 0
    admin_client.post(url, {"preset": "empty"})  # changed her mind: no association uses it yet
    empty = Regulation.objects.get(code="district")
    assert empty.copied_from is None and not empty.document_rules.exists()


def test_the_head_and_the_methodists_get_accounts_and_a_letter_to_set_a_password(
    admin_client, django_capture_on_commit_callbacks
):
    url = reverse("setup_step", args=["people"])
    bad = {"head": "Сидорова Валентина Павловна; head@uo.example.ru",
           "methodists": "Кравцова Марина Олеговна; kravtsova@uo.example.ru\nЗуев; zuev@uo.example.ru"}  # fmt: skip
    page = admin_client.post(url, bad).content.decode()
    assert "Строка 2: укажите хотя бы фамилию и имя." in page and "kravtsova@uo.example.ru" in page
    assert not User.objects.filter(email__endswith="uo.example.ru").exists()
    good = {**bad, "methodists": "Кравцова Марина Олеговна; kravtsova@uo.example.ru\nЗуев Олег; zuev@uo.example.ru"}
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(url, good).status_code == 302
    head = User.objects.get(email="head@uo.example.ru")
    assert head.role == Role.DISTRICT_HEAD and not head.has_usable_password() and head.patronymic == "Павловна"
    assert sorted(User.objects.filter(role=Role.METHODIST).values_list("last_name", flat=True)) == ["Зуев", "Кравцова"]
    letters = {m.to[0]: m.body for m in mail.outbox}
    assert set(letters) == {"head@uo.example.ru", "kravtsova@uo.example.ru", "zuev@uo.example.ru"}
    assert (
        "Задайте пароль по ссылке" in letters["head@uo.example.ru"]
        and "/accounts/reset/" in letters["head@uo.example.ru"]
    )
    # The link works: the head sets her password and logs in.
    link = letters["head@uo.example.ru"].split("/accounts/reset/", 1)[1].split()[0]
    admin_client.logout()
    page = admin_client.get("/accounts/reset/" + link, follow=True)
    assert page.status_code == 200 and "new_password1" in page.content.decode()


def test_an_address_of_another_role_is_refused_beside_its_field_and_nothing_is_saved(admin_client):
    portal_admin(username="second", email="second@uo.example.ru")
    url = reverse("setup_step", args=["people"])
    data = {"head": "Сидорова Валентина Павловна; second@uo.example.ru",
            "methodists": "Кравцова Марина Олеговна; kravtsova@uo.example.ru"}  # fmt: skip
    page = admin_client.post(url, data).content.decode()
    assert "уже у учётной записи" in page and "second@uo.example.ru" in page
    assert User.objects.get(username="second").role == Role.ADMIN  # never demoted
    assert not User.objects.filter(email="kravtsova@uo.example.ru").exists()  # nothing half-saved


def test_the_setup_is_closed_once_finished(admin_client):
    admin_client.post(reverse("setup_finish"))
    for url in (reverse("setup"), reverse("setup_step", args=["people"])):
        assert admin_client.get(url)["Location"] == reverse("start_admin")
    response = admin_client.post(reverse("setup_step", args=["people"]), {"head": "Иванова Ирина; i@uo.example.ru"})
    assert response["Location"] == reverse("start_admin") and not User.objects.filter(email="i@uo.example.ru").exists()
