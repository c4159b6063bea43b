"""Lists of people in forms: Russian order on either database, the school beside the name, a search box."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from associations.forms import OrderForm, ProposeMemberForm
from associations.tests.factories import AssociationFactory
from members.tests.browser import log_in
from members.tests.factories import SchoolFactory, TeacherFactory, UserFactory, methodist

pytestmark = pytest.mark.django_db

SURNAMES = ["Фролова", "Ёлкина", "Жукова", "Фёдорова", "Елисеева"]
IN_ORDER = ["Елисеева", "Ёлкина", "Жукова", "Фёдорова", "Фролова"]


def _teachers(surnames=SURNAMES, school=None):
    school = school or SchoolFactory(name="МБОУ «Средняя общеобразовательная школа № 1»", short_name="СОШ № 1")
    return [
        TeacherFactory(user=UserFactory(last_name=s, first_name="Анна", patronymic="Сергеевна"), school=school).user
        for s in surnames
    ]


def _labels(field):
    return [label for value, label in field.choices if value != ""]


def test_member_list_is_in_russian_order_with_the_school():
    _teachers()
    form = ProposeMemberForm(association=AssociationFactory())
    labels = _labels(form.fields["user"])
    assert [label.split()[0] for label in labels] == IN_ORDER
    assert labels[1] == "Ёлкина Анна Сергеевна — СОШ № 1"


def test_order_candidates_are_in_russian_order_with_the_school():
    _teachers()
    labels = _labels(OrderForm().fields["candidate"])
    assert [label.split()[0] for label in labels] == IN_ORDER
    assert labels[3] == "Фёдорова Анна Сергеевна — СОШ № 1"


def test_a_person_without_a_school_is_listed_by_name_alone():
    TeacherFactory(user=UserFactory(last_name="Ёжиков", first_name="Пётр", patronymic=""), school=None)
    from members.models import Employment

    Employment.objects.all().delete()
    assert _labels(OrderForm().fields["candidate"]) == ["Ёжиков Пётр"]


def test_people_lists_cost_the_same_queries_for_three_and_for_thirty(django_assert_num_queries):
    association = AssociationFactory()
    _teachers(SURNAMES[:3])
    with django_assert_num_queries(2):
        few = str(ProposeMemberForm(association=association)["user"])
    _teachers([f"Фамилия{i}" for i in range(27)], school=SchoolFactory(short_name="Лицей"))
    with django_assert_num_queries(2):
        many = str(ProposeMemberForm(association=association)["user"])
    assert few.count("<option") == 4 and many.count("<option") == 31
    with django_assert_num_queries(2):
        str(OrderForm()["candidate"])


def test_people_selects_are_filterable_and_the_pages_load_the_filter(client):
    association = AssociationFactory()
    association.curators.add(curator := methodist(username="curator"))
    _teachers(SURNAMES[:1])
    client.force_login(curator)
    for url in (reverse("associations:detail", args=[association.pk]), reverse("associations:order_create")):
        html = client.get(url).content.decode()
        assert "data-filterable" in html and "js/select_filter.js" in html, url


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_typing_in_the_search_box_narrows_the_list_case_and_yo_aside(page, live_server):
    association = AssociationFactory(name="РМО учителей физики")
    association.curators.add(methodist(username="curator"))
    _teachers()
    log_in(page, live_server, "curator")
    page.goto(f"{live_server.url}{reverse('associations:detail', args=[association.pk])}")
    box = page.get_by_role("searchbox", name="Поиск в списке «Педагог»")
    select = page.get_by_label("Педагог", exact=True)
    visible = "s => [...s.options].filter(o => o.value && !o.hidden).map(o => o.textContent.split(' ')[0])"
    expect(box).to_be_visible()
    assert select.evaluate(visible) == IN_ORDER
    box.fill("ЕЛК")
    assert select.evaluate(visible) == ["Ёлкина"]
    assert select.evaluate("s => s.options[s.selectedIndex].textContent") == "Ёлкина Анна Сергеевна — СОШ № 1"
    expect(page.get_by_text("Найдено: 1 из 5")).to_be_visible()
    box.fill("фед анна")
    assert select.evaluate(visible) == ["Фёдорова"]
    box.fill("сош 1")
    assert select.evaluate(visible) == IN_ORDER
    box.fill("Яковлева")
    assert select.evaluate(visible) == []
    expect(page.get_by_text("Никого не найдено")).to_be_visible()
    box.fill("")
    assert select.evaluate(visible) == IN_ORDER
