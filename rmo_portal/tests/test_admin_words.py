"""The admin in correct Russian: no model name forced into Django's «Добавить %s», «Выберите %s»."""

import re

import pytest
from django.apps import apps
from django.urls import reverse

from associations.models import DocumentRule, Regulation
from associations.presets import presets_load
from members.models import Consent, ConsentDocument
from members.tests.factories import SchoolFactory, TeacherFactory, UserFactory, portal_admin

pytestmark = pytest.mark.django_db

# What Django's own pattern makes of a feminine or animate model name in Russian.
BROKEN = [
    "Выберите пользователь",
    "Выберите образовательная организация",
    "Выберите положение",
    "Добавить пользователь",
    "Добавить образовательная организация",
    "Добавить образовательную организация",
    "Удалить выбранные пользователи",
    "был успешно",
]


def _text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.parametrize(
    ("model", "plural"),
    [("members/school", "Образовательные организации"), ("members/user", "Пользователи"),
     ("associations/regulation", "Положения")],
)  # fmt: skip
def test_changelist_and_add_page_read_in_correct_russian(client, model, plural):
    presets_load(apps)
    for n in range(7):
        SchoolFactory(name=f"МБОУ «СОШ № {n + 10}»", short_name=f"СОШ № {n + 10}")
    client.force_login(portal_admin(username="root"))
    changelist = _text(client.get(f"/admin/{model}/"))
    add = _text(client.get(f"/admin/{model}/add/"))
    for broken in BROKEN:
        assert broken not in changelist and broken not in add, broken
    assert "Выбор для изменения:" in changelist and "Добавить:" in changelist
    assert "Добавление:" in add
    # «7 образовательные организации» becomes «Образовательные организации: 7»
    assert re.search(rf"{plural}: \d+", changelist)
    assert not re.search(r"\d+ (образовательные организации|пользователи|положения)\b", changelist)


def test_saving_says_so_without_a_gender(client):
    client.force_login(portal_admin(username="root"))
    response = client.post(
        "/admin/members/school/add/",
        {"name": "МБОУ «Гимназия № 3»", "short_name": "Гимназия № 3", "kind": "school"},
        follow=True,
    )
    page = re.sub(r"<[^>]+>", "", _text(response))  # the name is a link
    assert "Добавлено: образовательная организация «Гимназия № 3»" in page
    assert "был успешно добавлен" not in page


def test_third_party_sections_have_russian_headings(client):
    client.force_login(portal_admin(username="root"))
    index = _text(client.get("/admin/"))
    assert "Журнал входов" in index and "Фоновые задачи по расписанию" in index
    assert "Расписания cron" in index
    for english in (">Axes<", "Periodic Tasks", "Периодические Задачи", ">Crontabs<", ">Crontab<"):
        assert english not in index


def test_user_search_in_the_admin_ignores_case_and_yo(client):
    TeacherFactory(user=UserFactory(username="elkina", last_name="Ёлкина"))
    TeacherFactory(user=UserFactory(username="zhukova", last_name="Жукова"))
    client.force_login(portal_admin(username="root"))
    page = _text(client.get(reverse("admin:members_user_changelist"), {"q": "елкина"}))
    assert "elkina" in page and "zhukova" not in page


def test_consent_documents_are_edited_in_the_admin_and_consents_only_read(client):
    client.force_login(portal_admin(username="root"))
    response = client.post(
        reverse("admin:members_consentdocument_add"),
        {"version": "2", "title": "Согласие на обработку ПДн", "text": "Текст", "published_on": "01.09.2027"},
    )
    assert response.status_code == 302
    document = ConsentDocument.objects.get(version="2")
    user = UserFactory(username="t")
    Consent.objects.create(user=user, document=document, given_at="2027-09-02T10:00+03:00")
    change = _text(client.get(reverse("admin:members_consentdocument_change", args=[document.pk])))
    assert 'name="text"' not in change  # a version someone agreed to stays as it was
    assert client.get(reverse("admin:members_consent_changelist")).status_code == 200
    assert client.get(reverse("admin:members_consent_add")).status_code == 403


def test_regulation_rules_are_compact_forms_not_wide_tables(client):
    presets_load(apps)
    regulation = Regulation.objects.get(code="vilyuisk-umo")
    assert DocumentRule.objects.filter(regulation=regulation).exists()
    client.force_login(portal_admin(username="root"))
    page = _text(client.get(reverse("admin:associations_regulation_change", args=[regulation.pk])))
    group = page.split('id="document_rules-group"', 1)[1][:400]
    assert "tabular" not in group and "stacked" in group
    assert re.search(r'class="[^"]*field-month[^"]*field-day[^"]*field-days', page)  # three to a line
