"""The order «О создании объединений и назначении руководителей» (issue 13): a list pasted from Excel or uploaded
as .xlsx, checked line by line, applied on its effective date, printed with its appendix."""

import datetime
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook
from pypdf import PdfReader

from associations.models import Association, AssociationEvent, Membership, Order, OrderLine
from associations.services import WorkflowError, order_sign, order_submit, orders_apply_due
from associations.tests.factories import AssociationFactory, RegulationFactory
from members.models import Category
from members.tests.factories import TeacherFactory, UserFactory, district_head, methodist
from rmo_portal import changes

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)
EFFECTIVE = datetime.date(2027, 1, 10)
HEADER = ["Название", "Вид", "Предметная область", "Руководитель", "Методист", "Положение"]
LAST_NAMES = [
    "Алексеева", "Борисова", "Васильева", "Григорьева", "Давыдова", "Егорова", "Жукова", "Зайцева", "Ильина",
    "Королёва", "Лебедева", "Морозова", "Никитина", "Орлова", "Павлова", "Романова", "Степанова", "Тимофеева",
    "Ульянова", "Фёдорова",
]  # fmt: skip


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 24, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def district():
    plain = RegulationFactory(code="plain-rmo", title="Положение о РМО", district="Тестовый район")
    strict = RegulationFactory(code="strict-rmo", title="Положение о строгом РМО", district="Тестовый район",
                               leader_min_category=Category.HIGHEST)  # fmt: skip
    leaders = [
        TeacherFactory(user=UserFactory(username=f"leader{i}", last_name=name, first_name="Анна"),
                       category=Category.HIGHEST).user
        for i, name in enumerate(LAST_NAMES)
    ]  # fmt: skip
    return {
        "plain": plain, "strict": strict, "leaders": leaders,
        "methodist": methodist(username="methodist"), "head": district_head(username="head"),
    }  # fmt: skip


def _rows(district, count):
    return [
        [f"РМО учителей предмета {i + 1}", "РМО" if i % 2 else "умо", f"Предмет {i + 1}",
         district["leaders"][i].full_name, "Кравцова Марина Петровна", "Положение о РМО" if i % 3 else "plain-rmo"]
        for i in range(count)
    ]  # fmt: skip


def _tsv(rows, *, header=True):
    return "\r\n".join("\t".join(row) for row in ([HEADER] if header else []) + rows) + "\r\n"


def _post(client, district, *, lines_text="", upload=None, **extra):
    client.force_login(district["methodist"])
    data = {
        "kind": Order.Kind.CREATE_MANY, "title": "О создании объединений на 2026/27 учебный год",
        "text": "Создать объединения и назначить руководителей по приложению.",
        "effective_date": EFFECTIVE.isoformat(), "lines_text": lines_text, **extra,
    }  # fmt: skip
    if upload is not None:
        data["lines_file"] = upload
    return client.post(reverse("associations:order_create"), data)


def _signed(district, order):
    order_submit(order=order, by=district["methodist"])
    return order_sign(order=order, by=district["head"], today=TODAY)


def test_twenty_pasted_associations_and_leaders_appear_on_the_effective_date(client, district, monkeypatch):
    response = _post(client, district, lines_text=_tsv(_rows(district, 20)))
    order = Order.objects.get()
    assert response.status_code == 302 and order.lines.count() == 20
    announced = []
    monkeypatch.setattr(
        changes, "announce", lambda topic, *, ids: announced.append((topic, sorted(i for i in ids if i)))
    )
    _signed(district, order)
    assert not Association.objects.exists()  # not before the effective date
    assert orders_apply_due(today=EFFECTIVE) == 1
    created = Association.objects.filter(created_by_order=order)
    assert created.count() == 20
    first = created.get(name="РМО учителей предмета 1")
    assert (first.kind, first.subject_area, first.regulation) == ("umo", "Предмет 1", district["plain"])
    assert list(first.curators.all()) == [district["methodist"]]
    leaders = Membership.objects.filter(role="leader", order=order, start_date=EFFECTIVE)
    assert leaders.count() == 20
    assert set(leaders.values_list("user", flat=True)) == {u.pk for u in district["leaders"]}
    assert AssociationEvent.objects.filter(order=order, on=EFFECTIVE, text__startswith="Создано").count() == 20
    assert AssociationEvent.objects.filter(order=order, text__startswith="Руководитель — ").count() == 20
    assert announced == [("associations", sorted(created.values_list("pk", flat=True)))]
    assert set(OrderLine.objects.values_list("association", flat=True)) == set(created.values_list("pk", flat=True))


def test_an_uploaded_xlsx_without_header_gives_the_lines(client, district):
    book = Workbook()
    for row in _rows(district, 3):
        book.active.append(row)
    content = io.BytesIO()
    book.save(content)
    upload = SimpleUploadedFile("список.xlsx", content.getvalue())
    response = _post(client, district, upload=upload)
    assert response.status_code == 302
    lines = list(Order.objects.get().lines.order_by("number"))
    assert [line.name for line in lines] == [f"РМО учителей предмета {i}" for i in (1, 2, 3)]
    assert [line.leader for line in lines] == district["leaders"][:3]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({3: "Иванова Мария"}, "Строка 2: руководитель «Иванова Мария» не найден(а) в базе педагогов"),
        ({4: "Петров Пётр"}, "Строка 2: методист «Петров Пётр» не найден(а) среди методистов портала"),
        ({1: "кружок"}, "Строка 2: вид «кружок» не распознан"),
        ({5: "Положение о клубе"}, "Строка 2: положение «Положение о клубе» не найдено"),
        ({0: "рмо учителей предмета 1"}, "Строка 2: объединение «рмо учителей предмета 1» уже есть в строке 1"),
        ({0: "РМО учителей химии"}, "Строка 2: объединение «РМО учителей химии» уже есть на портале"),
        ({0: ""}, "Строка 2: не указано название объединения"),
        ({5: "strict-rmo", 3: "Новикова Вера"}, "Строка 2: Новикова Вера — требуется высшая квалификационная"),
    ],
)
def test_a_bad_line_is_named_in_russian_and_nothing_is_saved(client, district, change, message):
    AssociationFactory(name="РМО учителей химии", regulation=district["plain"])
    TeacherFactory(user=UserFactory(username="weak", last_name="Новикова", first_name="Вера", patronymic=""))
    rows = _rows(district, 3)
    for column, value in change.items():
        rows[1][column] = value
    response = _post(client, district, lines_text=_tsv(rows))
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert "Строка 1:" not in body and "Строка 3:" not in body  # the good lines are not blamed
    assert district["leaders"][2].full_name in body  # the input stays on the page
    assert not Order.objects.exists() and not OrderLine.objects.exists()


def test_a_bad_list_on_edit_keeps_the_saved_lines(client, district):
    _post(client, district, lines_text=_tsv(_rows(district, 3)))
    order = Order.objects.get()
    rows = _rows(district, 4)
    rows[3][3] = "Неизвестная Ольга"
    response = client.post(
        reverse("associations:order_update", args=[order.pk]),
        {"kind": "create_many", "title": order.title, "text": order.text, "effective_date": EFFECTIVE.isoformat(),
         "lines_text": _tsv(rows)},
    )  # fmt: skip
    assert "Строка 4: руководитель «Неизвестная Ольга» не найден(а)" in response.content.decode()
    assert order.lines.count() == 3
    # The edit page shows the saved list back as rows to change.
    page = client.get(reverse("associations:order_update", args=[order.pk])).content.decode()
    assert "РМО учителей предмета 3\tУМО\tПредмет 3" in page


def test_yo_and_e_are_one_letter_and_namesakes_are_never_guessed(client, district):
    yolkina = TeacherFactory(user=UserFactory(username="yolkina", last_name="Ёлкина", first_name="Анна"),
                             category=Category.HIGHEST).user  # fmt: skip
    rows = _rows(district, 2)
    rows[0][3] = "елкина анна петровна"
    rows[1][3] = "ЕЛКИНА АННА"  # no patronymic: one person begins so
    assert _post(client, district, lines_text=_tsv(rows)).status_code == 302
    assert set(OrderLine.objects.values_list("leader", flat=True)) == {yolkina.pk}
    TeacherFactory(user=UserFactory(username="yolkina2", last_name="Елкина", first_name="Анна", patronymic="Ивановна"))
    Order.objects.all().delete()
    body = _post(client, district, lines_text=_tsv(rows)).content.decode()
    assert "Строка 2: руководитель «ЕЛКИНА АННА» — в базе педагогов несколько человек с таким ФИО (2)" in body
    assert "Строка 1:" not in body  # the full name still finds exactly one
    assert not Order.objects.exists()
    UserFactory(username="yolkina3", last_name="Ёлкина", first_name="Анна", patronymic="Петровна")  # no profile
    assert "Строка 1:" not in _post(client, district, lines_text=_tsv(rows)).content.decode()


def test_pdf_has_the_appendix_with_every_association_and_leader(client, district):
    _post(client, district, lines_text=_tsv(_rows(district, 20)))
    order = _signed(district, Order.objects.get())
    client.force_login(district["head"])
    pdf = client.get(reverse("associations:order_pdf", args=[order.pk]))
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
    assert "Приложение к приказу № 1 от 24 ноября 2026 г." in text
    for i, leader in enumerate(district["leaders"]):
        assert f"РМО учителей предмета {i + 1}" in text
        assert leader.full_name in text
    assert "Кравцова Марина Петровна" in text and "Положение о РМО" in text


def _detail_queries(client, district, count):
    Order.objects.all().delete()
    _post(client, district, lines_text=_tsv(_rows(district, count)))
    order = Order.objects.get()
    from rmo_portal.district import district as names

    names()  # the district's names are cached after the first page, as in a running portal
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("associations:order_detail", args=[order.pk]))
    body = response.content.decode()
    assert body.count("<td>РМО учителей предмета ") == count
    assert district["leaders"][count - 1].full_name in body
    return len(queries)


def test_order_detail_reads_as_many_queries_for_3_lines_as_for_20(client, district):
    assert _detail_queries(client, district, 3) == _detail_queries(client, district, 20)


def test_a_name_another_signed_order_will_create_is_refused_before_it_fails_on_its_day(client, district):
    _post(client, district, lines_text=_tsv(_rows(district, 2)))
    first = Order.objects.get()
    _signed(district, first)  # signed, in force on EFFECTIVE: its two associations do not exist yet
    _post(client, district, lines_text=_tsv(_rows(district, 3)))
    second = Order.objects.exclude(pk=first.pk).get()
    with pytest.raises(WorkflowError, match="уже создаёт другой подписанный приказ"):
        order_submit(order=second, by=district["methodist"])
    assert orders_apply_due(today=EFFECTIVE) == 1 and Association.objects.count() == 2
