"""Excel (.xlsx) output with openpyxl: a bold, frozen, filterable header and sensible widths.

Every export goes through `xlsx_bytes`, which writes user text as text, never as a formula (STYLE.md §15).
"""

import io
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from typing import BinaryIO

from django.http import HttpResponse
from django.utils.http import content_disposition_header

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What a spreadsheet may take for the start of a formula (CSV/formula injection, OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# Column widths are taken from the header and the first rows: a streamed sheet declares them before any row.
WIDTH_SAMPLE_ROWS = 200


def xlsx_bytes(*, title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    buffer = io.BytesIO()
    xlsx_write(buffer, title=title, headers=headers, rows=rows)
    return buffer.getvalue()


def xlsx_write(
    output: BinaryIO,
    *,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write the sheet to `output` row by row (openpyxl's write-only mode): memory stays flat however many rows.

    `progress(rows_written)` is called every 500 rows, for a background job's progress page.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    # A sheet's name may not hold []:*?/\ and is at most 31 characters («2026/27» becomes «2026-27»).
    sheet = workbook.create_sheet(re.sub(r"[\[\]:*?/\\]", "-", title)[:31])
    rows = iter(rows)
    sample = list(itertools.islice(rows, WIDTH_SAMPLE_ROWS))
    widths = [len(str(h)) for h in headers]
    for row in sample:
        for i, value in enumerate(row[: len(widths)]):
            longest = max((len(line) for line in str(value or "").split("\n")), default=0)
            widths[i] = max(widths[i], min(longest, 60))
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width + 2
    sheet.freeze_panes = "A2"

    wrap = Alignment(wrap_text=True, vertical="top")
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE6F5")

    def cell(value, *, header: bool = False):
        # A plain number or one-line text goes as it is: styling every cell took a quarter of a 30,000-row export.
        if not header and (
            value is None
            or isinstance(value, int | float)
            or (isinstance(value, str) and "\n" not in value and not value.startswith(FORMULA_PREFIXES))
        ):
            return value
        written = WriteOnlyCell(sheet, value=value)
        written.alignment = wrap
        if header:
            written.font, written.fill = bold, fill
        elif hasattr(value, "year") and not hasattr(value, "hour"):
            written.number_format = "DD.MM.YYYY"
        _as_text(written)  # the header too: the rejected rows of an import carry the file's own header
        return written

    sheet.append([cell(h, header=True) for h in headers])
    count = 0
    for row in itertools.chain(sample, rows):
        sheet.append([cell(value) for value in row])
        count += 1
        if progress is not None and count % 500 == 0:
            progress(count)
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(len(headers), 1))}{count + 1}"
    workbook.save(output)


def _as_text(cell) -> None:
    """A str stays text: openpyxl makes a str that starts with "=" a formula, so the cell type is forced back,
    and a risky one gets Excel's quote prefix, so that it is shown as typed and stays text when edited.
    Numbers and dates are left as they are."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_PREFIXES):
            cell.quotePrefix = True


def xlsx_response(*, title: str, headers: Sequence[str], rows: Iterable[Sequence], filename: str) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(title=title, headers=headers, rows=rows), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response
