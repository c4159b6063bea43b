"""The filters' <select> rendered in Python gives the same markup a person's browser reads as Django's Select."""

import re

import pytest
from django import forms

from members.filters import TeacherFilter
from rmo_portal.forms import FastSelect, ValuesModelChoiceField

CHOICES = [("", "Любая"), (1, "СОШ № 1"), (2, "Лицей «Интеллект» & <ко>"), (3, "ДДТ")]


def _options(html: str) -> list[tuple[str, bool, str]]:
    return [
        (value, bool(selected), text)
        for value, selected, text in re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', html)
    ]


def test_fast_select_renders_the_same_options_as_djangos_select():
    ours = FastSelect(choices=CHOICES, attrs={"class": "form-select"}).render("school", 2, attrs={"id": "id_school"})
    django = forms.Select(choices=CHOICES, attrs={"class": "form-select"}).render(
        "school", 2, attrs={"id": "id_school"}
    )
    assert _options(ours) == _options(django)
    assert 'name="school"' in ours and 'id="id_school"' in ours and 'class="form-select"' in ours
    assert "&lt;ко&gt;" in ours  # escaped
    assert [o for o in _options(ours) if o[1]] == [("2", True, "Лицей «Интеллект» &amp; &lt;ко&gt;")]


def test_the_teacher_list_filters_use_it():
    form = TeacherFilter(data={}).form
    assert isinstance(form.fields["school"].widget, FastSelect)
    assert isinstance(form.fields["association"].widget, FastSelect)


def test_a_long_list_links_a_few_pages_around_this_one_not_all_of_them():
    from django.core.paginator import Paginator
    from django.template import engines
    from django.test import RequestFactory

    page = Paginator(range(30_000), 50).get_page(300)
    html = (
        engines["django"]
        .from_string('{% include "includes/pagination.html" %}')
        .render({"page_obj": page}, RequestFactory().get("/teachers/", {"subject": "6", "page": "300"}))
    )
    links = re.findall(r'href="\?([^"]*)"', html)
    assert "subject=6&amp;page=1" in links and "subject=6&amp;page=600" in links
    assert "subject=6&amp;page=303" in links and "subject=6&amp;page=304" not in links
    assert len(links) <= 12 and html.count("…") == 2


@pytest.mark.django_db
def test_filter_choices_are_read_as_rows_and_say_what_the_models_say(django_assert_num_queries):
    from associations.filters import AssociationFilter
    from associations.tests.factories import AssociationFactory
    from members.models import Role
    from members.tests.factories import SchoolFactory, SubjectFactory, UserFactory

    SchoolFactory(short_name="СОШ № 2")
    SubjectFactory(name="Физика")
    AssociationFactory(name="РМО учителей физики")
    curator = UserFactory(role=Role.METHODIST, last_name="Ёлкина", first_name="Анна", patronymic="")
    nameless = UserFactory(role=Role.METHODIST, username="metod7", last_name="", first_name="", patronymic="")

    teacher_form = TeacherFilter(data={}).form
    for name in ("school", "subject", "association"):
        field = teacher_form.fields[name]
        assert isinstance(field, ValuesModelChoiceField)
        expected = [("", field.empty_label)] + [(str(o.pk), str(o)) for o in field.queryset]
        with django_assert_num_queries(1):
            assert [(str(v), label) for v, label in field.choices] == expected
    curators = [(str(v), label) for v, label in AssociationFilter(data={}).form.fields["curator"].choices]
    assert (str(curator.pk), "Ёлкина Анна") in curators and (str(nameless.pk), "metod7") in curators


@pytest.mark.django_db
def test_the_cheap_choice_field_still_rejects_an_unknown_value_in_russian():
    from members.tests.factories import SchoolFactory

    school = SchoolFactory()
    form = TeacherFilter(data={"school": "999999"}).form
    assert not form.is_valid()
    assert form.errors["school"] == ["Выберите корректный вариант. Вашего варианта нет среди допустимых значений."]
    form = TeacherFilter(data={"school": str(school.pk)}).form
    assert form.is_valid() and form.cleaned_data["school"] == school
