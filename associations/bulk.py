"""The list of an order «О создании объединений и назначении руководителей»: read from pasted Excel rows or an
.xlsx, checked line by line. Reads only; the lines are saved by `services.order_lines_replace`."""

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q

from members.models import Role, Teacher, User
from rmo_portal.search import fold

from .models import Association, OrderLine, Regulation

COLUMNS = ("название", "вид", "предметная область", "руководитель", "методист", "положение")
MAX_LINES = 500


class ListError(Exception):
    """A list that cannot be read at all (not a line of it): the message is for the user."""


@dataclass
class Line:
    """One checked line of the list: what the user wrote and what it names."""

    number: int
    cells: list[str]
    name: str = ""
    kind: str = ""
    subject_area: str = ""
    leader: User | None = None
    curator: User | None = None
    regulation: Regulation | None = None
    errors: list[str] = field(default_factory=list)

    def as_order_line(self, order) -> OrderLine:
        return OrderLine(
            order=order, number=self.number, name=self.name, kind=self.kind, subject_area=self.subject_area,
            leader=self.leader, curator=self.curator, regulation=self.regulation,
        )  # fmt: skip


def _clean(value) -> str:
    return " ".join(str(value if value is not None else "").split())


def _is_header(row: list[str]) -> bool:
    return bool(row) and fold(row[0]).startswith("назван")


def rows_from_text(text: str, *, delimiter: str = "\t") -> list[list[str]]:
    """Rows pasted from Excel: tab-separated, one a line; blank lines and a header row are dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        rows = [[_clean(cell) for cell in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as error:
        raise ListError("Не удалось прочитать список: проверьте кавычки в ячейках.") from error
    return _drop_header([r for r in rows if any(r)])


def rows_from_xlsx(content: bytes) -> list[list[str]]:
    """The first sheet of an .xlsx (already checked by content in rmo_portal.files); header dropped."""
    import zipfile

    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(m.file_size for m in archive.infolist())
        if unpacked > settings.IMPORT_MAX_UNCOMPRESSED_MB * 1024 * 1024:
            raise ListError("Файл Excel слишком велик для списка объединений: сохраните только лист со списком.")
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        rows = []
        for row in book.worksheets[0].iter_rows(values_only=True, max_col=len(COLUMNS) + 4):
            cells = [_clean(cell) for cell in row]
            if any(cells):
                rows.append(cells)
            if len(rows) > MAX_LINES + 1:
                break
        book.close()
    except ListError:
        raise
    except Exception as error:
        raise ListError("Не удалось прочитать файл Excel: сохраните его как .xlsx и загрузите снова.") from error
    return _drop_header(rows)


def _drop_header(rows: list[list[str]]) -> list[list[str]]:
    rows = rows[1:] if rows and _is_header(rows[0]) else rows
    if len(rows) > MAX_LINES:
        raise ListError(f"В списке больше {MAX_LINES} строк: разделите его на несколько приказов.")
    return rows


def rows_as_text(rows: list[list[str]]) -> str:
    """Rows back as the tab-separated text the form shows (an uploaded file's list stays on the page)."""
    return "\n".join("\t".join(row) for row in rows)


def _kind_of(value: str) -> str | None:
    wanted = fold(value)
    return next((k.value for k in Association.Kind if fold(k.label) == wanted or k.value == wanted), None)


class _People:
    """Finds a person by ФИО (ё = е, case ignored) among a set of accounts, in one query for the whole list.

    A full name matches exactly; a name without the patronymic matches one person whose full name begins with it.
    Two people found is an ambiguity the user resolves: namesakes are never guessed.
    """

    def __init__(self, queryset, names: list[str]):
        keys = {fold(_clean(n)) for n in names if _clean(n)}
        if not keys:
            self.people: list[User] = []
            return
        condition = Q()
        for key in keys:
            condition |= Q(sort_key=key) | Q(sort_key__startswith=key + " ")
        self.people = list(queryset.filter(condition).order_by("sort_key", "pk"))

    def find(self, name: str) -> list[User]:
        key = fold(_clean(name))
        exact = [p for p in self.people if p.sort_key == key]
        return exact or [p for p in self.people if p.sort_key.startswith(key + " ")]


def _person(found: list[User], name: str, *, who: str, where: str, number: int) -> tuple[User | None, str]:
    if len(found) == 1:
        return found[0], ""
    if not found:
        return None, f"Строка {number}: {who} «{name}» не найден(а) {where}"
    return None, (
        f"Строка {number}: {who} «{name}» — {where} несколько человек с таким ФИО ({len(found)}); "
        "однофамильцев портал не угадывает: укажите ФИО полностью или назначьте отдельным приказом"
    )


def lines_check(rows: list[list[str]], *, on: datetime.date) -> tuple[list[Line], list[str], list[str]]:
    """Check every row: the lines, their errors (each «Строка N: …») and the leaders' unmet requirements.

    The leader's requirements are those of the line's regulation on `on` (the order's effective date), as for
    a single order; they are kept apart so that the methodist may pass them on to the head knowingly.
    """
    lines = [Line(number=n, cells=(row + [""] * len(COLUMNS))[: len(COLUMNS)]) for n, row in enumerate(rows, 1)]
    leaders = _People(User.objects.filter(teacher__isnull=False), [line.cells[3] for line in lines])
    methodists = _People(User.objects.filter(role=Role.METHODIST, is_active=True), [line.cells[4] for line in lines])
    regulations = list(Regulation.objects.filter(body_kind=Regulation.BodyKind.ASSOCIATION))
    # Compared as folded text (ё = е, case ignored): one read of the names, however long the list.
    existing = {fold(n) for n in Association.objects.values_list("name", flat=True)}
    first_seen: dict[str, int] = {}
    for line in lines:
        name, kind, area, leader, curator, regulation = line.cells
        n = line.number
        line.name, line.subject_area = name, area
        if len(rows[n - 1]) > len(COLUMNS) and any(rows[n - 1][len(COLUMNS) :]):
            line.errors.append(f"Строка {n}: лишние столбцы; нужны: {', '.join(COLUMNS)}")
        if not name:
            line.errors.append(f"Строка {n}: не указано название объединения")
        elif fold(name) in first_seen:
            line.errors.append(f"Строка {n}: объединение «{name}» уже есть в строке {first_seen[fold(name)]}")
        elif fold(name) in existing:
            line.errors.append(f"Строка {n}: объединение «{name}» уже есть на портале")
        if name:
            first_seen.setdefault(fold(name), n)
        line.kind = _kind_of(kind) or ""
        if not line.kind:
            labels = ", ".join(k.label for k in Association.Kind)
            shown = f"вид «{kind}» не распознан" if kind else "не указан вид"
            line.errors.append(f"Строка {n}: {shown}; укажите один из: {labels}")
        if not leader:
            line.errors.append(f"Строка {n}: не указан руководитель")
        else:
            line.leader, error = _person(
                leaders.find(leader), leader, who="руководитель", where="в базе педагогов", number=n
            )
            line.errors += [error] if error else []
        if not curator:
            line.errors.append(f"Строка {n}: не указан курирующий методист")
        else:
            line.curator, error = _person(
                methodists.find(curator), curator, who="методист", where="среди методистов портала", number=n
            )
            line.errors += [error] if error else []
        if not regulation:
            line.errors.append(f"Строка {n}: не указано положение")
        else:
            found = [r for r in regulations if fold(r.title) == fold(regulation) or r.code == regulation.lower()]
            if len(found) == 1:
                line.regulation = found[0]
            elif not found:
                line.errors.append(f"Строка {n}: положение «{regulation}» не найдено (укажите его название или код)")
            else:
                line.errors.append(f"Строка {n}: положений с названием «{regulation}» несколько; укажите код положения")
    errors = [e for line in lines for e in line.errors]
    if not lines:
        errors.append("Список пуст: вставьте строки из Excel или загрузите файл .xlsx.")
    return lines, errors, leader_problems_of(lines, on=on)


def leader_problems_of(lines, *, on: datetime.date) -> list[str]:
    """«Строка N: Иванова М. П. — требуется …» for each leader who does not meet her line's regulation.

    `lines` are checked `Line`s or saved `OrderLine`s (with leader and regulation read); teachers in one query.
    """
    leader_ids = {line.leader.pk for line in lines if line.leader is not None and line.regulation is not None}
    teachers = {
        t.user_id: t for t in Teacher.objects.filter(user_id__in=leader_ids).prefetch_related("educations", "subjects")
    }
    problems = []
    for line in lines:
        if line.leader is None or line.regulation is None:
            continue
        unmet = line.regulation.leader_problems(teachers.get(line.leader.pk), on=on, subject_area=line.subject_area)
        if unmet:
            problems.append(f"Строка {line.number}: {line.leader.full_name} — " + "; ".join(unmet))
    return problems
