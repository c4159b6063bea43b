"""Excel exports write user text as text: nothing a user typed becomes a formula."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from members.tests.factories import TeacherFactory, UserFactory, methodist
from rmo_portal.excel import xlsx_bytes

DANGEROUS = ["=1+1", '=HYPERLINK("http://x","y")', "+7 (900) 123-45-67", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_that_looks_like_a_formula_is_stored_as_text(text):
    sheet = load_workbook(io.BytesIO(xlsx_bytes(title="Т", headers=["Тема"], rows=[[text]]))).active
    cell = sheet["A2"]
    # XML turns a raw carriage return into a line feed when the file is read (end-of-line handling): the text is
    # the same text, and still no formula.
    assert cell.data_type == "s" and cell.value == text.replace("\r", "\n")
    assert cell.quotePrefix  # Excel shows it as typed and keeps it text when edited


def test_header_from_a_users_file_is_text_too():
    sheet = load_workbook(io.BytesIO(xlsx_bytes(title="Т", headers=["=cmd|' /C calc'!A0"], rows=[]))).active
    assert sheet["A1"].data_type == "s" and sheet["A1"].value == "=cmd|' /C calc'!A0"


def test_a_long_sheet_is_written_streaming_with_every_row_escaped():
    rows = ([f"=A{n}", n] for n in range(3000))  # a generator: write-only mode never holds the sheet
    sheet = load_workbook(io.BytesIO(xlsx_bytes(title="Т", headers=["a", "b"], rows=rows))).active
    assert sheet.max_row == 3001 and sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:B3001"
    assert all(row[0].data_type == "s" and row[0].quotePrefix for row in sheet.iter_rows(min_row=2))


def test_numbers_dates_and_plain_text_keep_their_types():
    day = datetime.date(2027, 5, 5)
    sheet = load_workbook(io.BytesIO(xlsx_bytes(title="Т", headers=["a", "b", "c"], rows=[[12, day, "Ёлкина"]]))).active
    number, date, name = sheet[2]
    assert (number.data_type, number.value) == ("n", 12)
    assert date.is_date and date.value.date() == day
    assert (name.data_type, name.value, name.quotePrefix) == ("s", "Ёлкина", False)


@pytest.mark.django_db
def test_teacher_export_writes_a_formula_like_topic_as_text(
    client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path)
    topic = '=HYPERLINK("http://x","y")'
    TeacherFactory(user=UserFactory(username="t", last_name="Ёлкина"), self_education_topic=topic)
    client.force_login(methodist(username="m"))
    with django_capture_on_commit_callbacks(execute=True):
        job_url = client.get(reverse("members:teacher_export"))["Location"]
    response = client.get(job_url + "download/")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == topic]
    assert len(cells) == 1 and cells[0].data_type == "s"
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)
