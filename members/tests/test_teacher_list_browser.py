"""The teacher list pages with its filter on, in Debian's Chromium, and the Excel link exports what is filtered."""

import io
import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import expect

from members.models import Subject
from members.tests.browser import log_in
from members.tests.factories import TeacherFactory, UserFactory, methodist

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_next_page_keeps_the_filter_and_excel_exports_the_filtered_list(page, live_server):
    # 55 physics teachers (50 a page: two pages) and 3 chemists the filter leaves out. Zero-padded numbers sort
    # the same on SQLite and in PostgreSQL's ICU collation.
    for n in range(1, 56):
        TeacherFactory(user=UserFactory(username=f"phys{n:02d}", last_name=f"Физикова{n:02d}"), subject="Физика")
    for n in range(1, 4):
        TeacherFactory(user=UserFactory(username=f"chem{n}", last_name=f"Химикова{n}"), subject="Химия")
    physics = Subject.objects.get(name="Физика")
    methodist(username="methodist")

    log_in(page, live_server, "methodist")
    page.goto(f"{live_server.url}{reverse('members:teacher_list')}")
    page.get_by_label("Предмет").select_option(label="Физика")
    page.get_by_role("button", name="Показать").click()
    expect(page.get_by_text("Найдено: 55 педагогов")).to_be_visible()
    table = page.get_by_role("region", name="Педагоги")
    expect(table.get_by_role("link", name="Физикова01")).to_be_visible()
    expect(table.get_by_role("link", name="Физикова51")).to_have_count(0)

    page.get_by_role("link", name="Вперёд ›").click()
    query = parse_qs(urlparse(page.url).query)
    assert query["page"] == ["2"] and query["subject"] == [str(physics.pk)]
    expect(page.get_by_text("Страница 2 из 2, всего 55")).to_be_visible()
    expect(table.get_by_role("link")).to_have_count(5)  # Физикова51 … 55, not page 1 again
    for n in range(51, 56):
        expect(table.get_by_role("link", name=f"Физикова{n}")).to_be_visible()
    expect(table.get_by_role("link", name="Физикова01")).to_have_count(0)
    expect(page.get_by_text("Химикова1")).to_have_count(0)

    # «Excel» exports the filtered list, all of it: the filter kept, the page number dropped.
    href = page.get_by_role("link", name="Excel").get_attribute("href")
    export = parse_qs(urlparse(href).query)
    assert export == {"subject": [str(physics.pk)]}, href
    # The file is made in the background (at once here: tasks run in the test process); its page offers it.
    page.get_by_role("link", name="Excel").click()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^Скачать")).click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    cells = [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row]
    names = [c for c in cells if c.startswith(("Физикова", "Химикова"))]
    assert len(names) == 55 and not [c for c in names if c.startswith("Химикова")]
