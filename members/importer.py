"""Import of a teacher list from Excel (.xlsx) or CSV, as real district files come.

Real files have a title and merged header cells above the header, columns in any order with Russian
headers, extra spaces, ё/е, dates as text or as real dates, categories written a dozen ways, empty rows,
the same person twice, and the full name in one «Ф.И.О.» column. plan_import() reads and judges every
row without writing; import_apply() writes the valid rows in one transaction. Importing the same file
again changes nothing.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, F, Func, Value
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from rmo_portal import calendar
from rmo_portal.locks import lock_hold
from rmo_portal.search import Fold, fold
from rmo_portal.text import count_ru

from .models import Category, Employment, School, Subject, Teacher, User

# Canonical column → header spellings (folded, punctuation dropped).
HEADERS = {
    "fio": ["фио", "ф и о", "фамилия имя отчество", "фамилия имя отчество педагога", "педагог"],
    "last_name": ["фамилия"],
    "first_name": ["имя"],
    "patronymic": ["отчество"],
    "school": ["школа", "оу", "оо", "образовательное учреждение", "образовательная организация", "место работы",
               "наименование оу", "учреждение"],
    "position": ["должность"],
    "subject": ["предмет", "преподаваемый предмет", "преподаваемые предметы", "предметы"],
    "category": ["категория", "квалификационная категория", "кв категория"],
    "category_assigned_on": ["дата присвоения категории", "категория присвоена", "дата присвоения"],
    "last_attestation_on": ["дата последней аттестации", "последняя аттестация", "дата аттестации"],
    "next_attestation_year": ["год очередной аттестации", "год следующей аттестации", "следующая аттестация"],
    "pedagogical_years": ["педагогический стаж", "педстаж", "пед стаж", "стаж педагогический"],
    "phone": ["телефон", "контактный телефон", "тел"],
    "email": ["email", "e mail", "эл почта", "электронная почта", "адрес электронной почты"],
    "self_education_topic": ["тема самообразования"],
}  # fmt: skip
# Headers of a row-number column («№», «№ п/п»): numbers of rows, not data to import.
ROW_NUMBER_HEADERS = {"", "п п", "n", "n п п", "номер", "номер п п", "пп"}
REQUIRED_NAME = "Нужен столбец «Ф.И.О.» или столбцы «Фамилия», «Имя»."

STATUS_LABELS = {"new": "новый", "update": "обновление", "same": "без изменений", "skip": "повтор", "error": "ошибка"}


def _key(text) -> str:
    text = fold(str(text or ""))
    text = re.sub(r"[.,:;/\\()\"'«»“”„\-–—_*№#]+", " ", text)
    return " ".join(text.split())


HEADER_INDEX = {_key(spelling): column for column, spellings in HEADERS.items() for spelling in spellings}
# Longest spellings first: «фамилия имя отчество учителя» is the full name, not the surname.
HEADER_PREFIXES = sorted(HEADER_INDEX, key=len, reverse=True)


def header_column(cell) -> str | None:
    """The column a header cell names, as districts write them: «Ф.И.О. учителя», «Категория (при наличии)».

    Remarks in brackets are ignored; a header matches when its words start with a known spelling. A row-number
    column («№», «№ п/п») names nothing.
    """
    key = _key(re.sub(r"\([^)]*\)", " ", str(cell or "")))
    if key in ROW_NUMBER_HEADERS:
        return None
    if key in HEADER_INDEX:
        return HEADER_INDEX[key]
    return next((HEADER_INDEX[s] for s in HEADER_PREFIXES if key.startswith(f"{s} ")), None)


def school_key(name: str) -> str:
    """A school's name regardless of quotes, case, ё and spacing: «МБОУ "СОШ №1"» = «мбоу сош № 1»."""
    text = fold(name or "")
    text = re.sub(r"[\"'«»“”„]+", " ", text)
    text = re.sub(r"№\s*", "№", text)
    return " ".join(text.split())


def person_key(last: str, first: str, patronymic: str) -> str:
    return "|".join(_key(p) for p in (last, first, patronymic))


@dataclass
class Row:
    number: int
    cells: list
    data: dict = field(default_factory=dict)
    status: str = "new"
    errors: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    teacher: Teacher | None = None
    new_school: bool = False

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class Plan:
    header: list[str]
    rows: list[Row]
    error: str = ""
    overwrite_dates: bool = False

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {s: self.count(s) for s in STATUS_LABELS}

    @property
    def new_schools(self) -> list[str]:
        return sorted({r.data["school"] for r in self.rows if r.new_school and r.status in ("new", "update")})

    @property
    def rejected(self) -> list[Row]:
        return [r for r in self.rows if r.status == "error"]


# --- reading ------------------------------------------------------------------------------------


class ImportFileError(Exception):
    """The file cannot be read at all; the message is for the user."""


def read_table(name: str, content: bytes) -> list[list]:
    """All rows of the first sheet (xlsx) or of a CSV (UTF-8 or Windows-1251, ; or , or tab), within the limits.

    Hostile files are refused before they cost much: a zip that unpacks to more than
    IMPORT_MAX_UNCOMPRESSED_MB, more rows than IMPORT_MAX_ROWS; columns past IMPORT_MAX_COLUMNS are not read,
    and a sheet's declared dimension (which may claim a million rows) is ignored.
    """
    if name.lower().endswith(".xlsx"):
        return _read_xlsx(content)
    if name.lower().endswith(".csv"):
        return _read_csv(content)
    raise ImportFileError("Подойдёт файл .xlsx или .csv.")


# Titles and blank lines above the header, on top of the rows themselves.
EXTRA_LINES = 50


def _too_many_columns() -> ImportFileError:
    return ImportFileError(
        f"В файле заполнены столбцы дальше {settings.IMPORT_MAX_COLUMNS}-го — это предел. Оставьте в файле "
        "только таблицу со списком (лишние столбцы справа удалите) и загрузите его снова."
    )


def _blank_tail(seen: int) -> ImportFileError:
    return ImportFileError(
        f"Лист размечен больше чем на {count_ru(seen, 'строку,строки,строк')}, хотя заполнено меньше: удалите пустые "
        "или отформатированные строки под списком и сохраните файл снова."
    )


class _Rows:
    """Collects a sheet's rows within the limits: filled rows, columns, and rows read at all."""

    def __init__(self):
        self.rows: list[list] = []
        self.filled = 0

    def add(self, row) -> None:
        limit = settings.IMPORT_MAX_COLUMNS
        if len(self.rows) >= (settings.IMPORT_MAX_ROWS + EXTRA_LINES) * 5:
            raise _blank_tail(len(self.rows))
        if any(c not in (None, "") for c in row):
            self.filled += 1
            if self.filled > settings.IMPORT_MAX_ROWS + EXTRA_LINES:
                raise _too_many_rows()
            if any(c not in (None, "") for c in row[limit:]):
                raise _too_many_columns()
        self.rows.append(list(row[:limit]))


def _too_many_rows() -> ImportFileError:
    return ImportFileError(
        f"В файле больше {count_ru(settings.IMPORT_MAX_ROWS, 'строки,строк,строк')} — это предел одной загрузки. "
        "Разделите список на части (например, по школам) и загрузите их по очереди."
    )


def _read_xlsx(content: bytes) -> list[list]:
    import zipfile

    from openpyxl import load_workbook

    unreadable = ImportFileError("Не удалось прочитать файл Excel: сохраните его как .xlsx и загрузите снова.")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise unreadable from exc
    unpacked = sum(m.file_size for m in members)
    limit = settings.IMPORT_MAX_UNCOMPRESSED_MB * 1024 * 1024
    if len(members) > 1000 or unpacked > limit:
        raise ImportFileError(
            f"Файл Excel в распакованном виде больше {settings.IMPORT_MAX_UNCOMPRESSED_MB} МБ — это предел. "
            "В списке педагогов столько данных не бывает: проверьте, тот ли это файл, "
            "или сохраните только лист со списком."
        )
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # the declared size is the file's claim, not a fact
        rows = _Rows()
        for row in sheet.iter_rows(values_only=True, max_col=settings.IMPORT_MAX_COLUMNS + 1):
            rows.add(row)
        book.close()
    except ImportFileError:
        raise
    except Exception as exc:
        raise unreadable from exc
    return rows.rows


def _read_csv(content: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError("Не удалось определить кодировку CSV: сохраните файл в UTF-8.")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:  # one column, or nothing to tell by: take Excel's dialect
        dialect = csv.excel
    rows = _Rows()
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            rows.add(row)
    except csv.Error as exc:
        raise ImportFileError(f"Не удалось прочитать CSV: строка {len(rows.rows) + 1} записана с ошибкой.") from exc
    return rows.rows


def find_header(table: list[list]) -> tuple[int, dict[int, str]]:
    """The header row: among the first 20, the one naming most known columns (titles above are skipped)."""
    best = (-1, {})
    for index, row in enumerate(table[:20]):
        mapping = {}
        for col, cell in enumerate(row):
            column = header_column(cell)
            if column and column not in mapping.values():
                mapping[col] = column
        if len(mapping) > len(best[1]):
            best = (index, mapping)
    return best


# --- parsing values -----------------------------------------------------------------------------

DATE_RE = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})(?:\s*г\.?)?$")
ISO_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def parse_date(value) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and 20000 < value < 80000:  # an Excel serial day
        return datetime.date(1899, 12, 30) + datetime.timedelta(days=int(value))
    text = str(value).strip()
    if match := ISO_RE.match(text):
        return datetime.date(*map(int, match.groups()))
    if match := DATE_RE.match(text):
        day, month, year = match.groups()
        year = int(year) + (2000 if len(year) == 2 and int(year) < 50 else 1900 if len(year) == 2 else 0)
        try:
            return datetime.date(year, int(month), int(day))
        except ValueError:
            raise ValueError(f"даты «{text}» не существует (проверьте день и месяц)") from None
    raise ValueError(f"дата «{text}» не распознана, нужна в виде 05.09.2019")


def parse_category(value) -> str | None:
    text = _key(value)
    if not text:
        return None  # an empty cell says nothing: the profile keeps its category
    if text in ("нет", "без категории", "б к", "бк"):
        return Category.NONE
    if "методист" in text:
        return Category.METHODIST
    if "наставник" in text:
        return Category.MENTOR
    if "высш" in text:
        return Category.HIGHEST
    if "перв" in text or re.match(r"^1(\s|$|кв|к)", text):
        return Category.FIRST
    if "сзд" in text or "соответств" in text:
        return Category.COMPLIANCE
    if "без" in text:
        return Category.NONE
    raise ValueError(f"категория «{str(value).strip()}» не распознана (высшая, первая, СЗД, без категории)")


def parse_int(value, what: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, int | float):
        return int(value)
    match = re.match(r"^\s*(\d+)", str(value))
    if not match:
        raise ValueError(f"{what} «{str(value).strip()}» — не число")
    return int(match.group(1))


def clean_text(value) -> str:
    return " ".join(str(value).split()) if value not in (None, "") else ""


def split_fio(value: str) -> tuple[str, str, str]:
    parts = clean_text(value).split(" ")
    if len(parts) < 2 or not parts[0]:
        raise ValueError(f"в Ф.И.О. «{clean_text(value)}» нужны хотя бы фамилия и имя")
    return parts[0], parts[1], " ".join(parts[2:])


# --- planning -----------------------------------------------------------------------------------


def plan_import(
    table: list[list], *, on: datetime.date | None = None, progress=None, overwrite_dates: bool = False
) -> Plan:
    """Judge every row: new, update, unchanged, a repeat, or an error with its reason. Writes nothing.

    It finds every error that writing would meet (lengths, unique names), so a confirmed plan never fails.
    An attestation or category date older than the profile's is a conflict: the newer one stays unless
    `overwrite_dates`. `progress(done, total)` is called now and then, for the progress page.
    """
    on = on or calendar.today()
    header_index, mapping = find_header(table)
    if header_index < 0 or not (
        {"fio"} <= set(mapping.values()) or {"last_name", "first_name"} <= set(mapping.values())
    ):
        return Plan(header=[], rows=[], error=f"Не найдена строка заголовков. {REQUIRED_NAME}")
    plan = Plan(header=[], rows=[], overwrite_dates=overwrite_dates)
    header = [clean_text(c) for c in table[header_index]]
    schools = {}
    for school in School.objects.all():
        schools.setdefault(school_key(school.name), school)
        schools.setdefault(school_key(school.short_name), school)
    seen: dict[str, Row] = {}
    rows = []
    body = table[header_index + 1 :]
    if sum(1 for cells in body if any(clean_text(c) for c in cells)) > settings.IMPORT_MAX_ROWS:
        return Plan(header=header, rows=[], error=_too_many_rows().args[0])
    for offset, cells in enumerate(body, start=header_index + 2):
        if progress and offset % 250 == 0:
            progress(offset - header_index - 2, len(body))
        if all(clean_text(c) == "" for c in cells):
            continue  # empty rows are not rows
        row = Row(number=offset, cells=list(cells))
        raw = {column: cells[col] if col < len(cells) else None for col, column in mapping.items()}
        _parse(row, raw, on=on)
        if not row.errors:
            key = person_key(row.data["last_name"], row.data["first_name"], row.data["patronymic"])
            if key in seen:
                first = seen[key]
                if first.data == row.data:
                    row.status = "skip"
                    row.changes = [f"повтор строки {first.number}"]
                else:
                    row.errors.append(f"этот педагог уже есть в строке {first.number} с другими сведениями")
            else:
                seen[key] = row
        if row.errors:
            row.status = "error"
        rows.append(row)
    teachers = _teachers_named(seen)
    for key, row in seen.items():
        _judge(row, teachers.get(key), schools, overwrite_dates=overwrite_dates)
    plan.header, plan.rows = header, rows
    return plan


# Characters person_key() drops or splits on (whitespace beyond these is not met in names).
_KEY_DROPPED = ".,:;/\\()\"'«»“”„-–—_*№# \t\n\xa0"


class _Squeezed(Func):
    """The database's twin of person_key() for one name, without spaces: «Ёлкина-Рябова» → «елкинарябова»."""

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        sql = f"{Fold.function}({sql})"
        for _char in _KEY_DROPPED:  # SQLite has no TRANSLATE; its parser takes this depth of REPLACE
            sql = f"REPLACE({sql}, %s, '')"
        return sql, [*params, *_KEY_DROPPED]

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"TRANSLATE(LOWER({sql}), %s, %s)", [*params, "ёЁ" + _KEY_DROPPED, "ее"]


def _teachers_named(keys) -> dict[str, Teacher]:
    """The teachers the rows may be, found by the last names in the file: never the whole district.

    The database narrows by the folded last name without punctuation and spaces; person_key() decides.
    """
    last_names = {key.split("|")[0].replace(" ", "") for key in keys}
    if not last_names:
        return {}
    candidates = (
        Teacher.objects.annotate(_last=_Squeezed(F("user__last_name")))
        .filter(_last__in=last_names)
        .select_related("user")
        .prefetch_related("employments__school", "subjects")
    )
    return {person_key(t.user.last_name, t.user.first_name, t.user.patronymic): t for t in candidates}


# Most characters a cell may hold: the column it goes to.
MAX_LENGTHS = {
    "last_name": (User, "last_name", "фамилия"),
    "first_name": (User, "first_name", "имя"),
    "patronymic": (User, "patronymic", "отчество"),
    "school": (School, "name", "название организации"),
    "position": (Employment, "position", "должность"),
    "phone": (Teacher, "phone", "телефон"),
    "email": (User, "email", "адрес почты"),
    "self_education_topic": (Teacher, "self_education_topic", "тема самообразования"),
}


def _check_lengths(row: Row) -> None:
    for name, (model, column, label) in MAX_LENGTHS.items():
        limit = model._meta.get_field(column).max_length
        value = row.data.get(name) or ""
        if len(value) > limit:
            row.errors.append(f"{label} длиннее {limit} знаков ({len(value)})")
    limit = Subject._meta.get_field("name").max_length
    for subject in row.data.get("subjects", []):
        if len(subject) > limit:
            row.errors.append(f"название предмета длиннее {limit} знаков")


def _parse(row: Row, raw: dict, *, on: datetime.date) -> None:
    data = row.data
    try:
        if raw.get("fio") not in (None, ""):
            data["last_name"], data["first_name"], data["patronymic"] = split_fio(raw["fio"])
        else:
            data["last_name"] = clean_text(raw.get("last_name"))
            data["first_name"] = clean_text(raw.get("first_name"))
            data["patronymic"] = clean_text(raw.get("patronymic"))
            if not data["last_name"] or not data["first_name"]:
                raise ValueError("не указаны фамилия и имя")
    except ValueError as error:
        row.errors.append(str(error))
    data["school"] = clean_text(raw.get("school"))
    data["position"] = clean_text(raw.get("position"))
    data["subjects"] = [s for s in (clean_text(p) for p in re.split(r"[,;]", str(raw.get("subject") or ""))) if s]
    data["phone"] = clean_text(raw.get("phone"))
    data["email"] = clean_text(raw.get("email")).lower()
    if data["email"] and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", data["email"]):
        row.errors.append(f"адрес почты «{data['email']}» неверный")
    data["self_education_topic"] = clean_text(raw.get("self_education_topic"))
    for name, parse in (
        ("category", parse_category),
        ("category_assigned_on", parse_date),
        ("last_attestation_on", parse_date),
        ("next_attestation_year", lambda v: parse_int(v, "год аттестации")),
        ("pedagogical_years", lambda v: parse_int(v, "стаж")),
    ):
        try:
            data[name] = parse(raw.get(name))
        except ValueError as error:
            row.errors.append(str(error))
            data[name] = None
    year = data.get("next_attestation_year")
    if year is not None and not 2000 <= year <= on.year + 10:
        row.errors.append(f"год аттестации {year} вне разумных пределов")
    for name in ("category_assigned_on", "last_attestation_on"):
        if data.get(name) and data[name] > on:
            row.errors.append(f"дата {data[name]:%d.%m.%Y} в будущем")
    if data.get("pedagogical_years") is not None and data["pedagogical_years"] > 60:
        row.errors.append(f"педагогический стаж {data['pedagogical_years']} лет — проверьте")
    if not data["school"] and not row.errors:
        row.errors.append("не указана образовательная организация")
    _check_lengths(row)


def _profile_values(data: dict, *, on: datetime.date) -> dict:
    """The Teacher fields a row sets; empty cells leave what the profile has."""
    values = {}
    for name in ("phone", "self_education_topic", "category", "category_assigned_on", "last_attestation_on"):
        if data.get(name) not in (None, ""):
            values[name] = data[name]
    if data.get("next_attestation_year"):
        values["next_attestation_year_set"] = data["next_attestation_year"]
    if data.get("pedagogical_years") is not None:
        # N years of experience today: experience began N years before today, whatever the month.
        values["pedagogical_since"] = calendar.years_before(on, data["pedagogical_years"])
    if values.get("category_assigned_on") and "last_attestation_on" not in values:
        values["last_attestation_on"] = values["category_assigned_on"]
    return values


# Dates a file may hold older than the profile's; the category goes with the date it was assigned on.
NEWER_KEPT = {
    "last_attestation_on": ("последняя аттестация", ()),
    "category_assigned_on": ("категория присвоена", ("category",)),
}


def _keep_newer(values: dict, teacher: Teacher, *, overwrite: bool) -> list[str]:
    """Drop from `values` the dates older than the profile's (unless `overwrite`); say what was kept."""
    conflicts = []
    for name, (label, with_it) in NEWER_KEPT.items():
        current, value = getattr(teacher, name), values.get(name)
        if current is None or value is None or value >= current:
            continue
        outcome = "заменена датой из файла" if overwrite else "оставлена более новая"
        conflicts.append(f"{label}: в файле {value:%d.%m.%Y}, в профиле {current:%d.%m.%Y} — {outcome}")
        if not overwrite:
            for dropped in (name, *with_it):
                values.pop(dropped, None)
    return conflicts


def _shown(name: str, value) -> str:
    """A profile value as a person reads it: a category's label, a date as 05.09.2019."""
    if value in (None, ""):
        return "—"
    if name == "category":
        return Category(value).label
    if isinstance(value, datetime.date):
        return f"{value:%d.%m.%Y}"
    return str(value)


def _judge(row: Row, teacher: Teacher | None, schools: dict, *, overwrite_dates: bool = False) -> None:
    school = schools.get(school_key(row.data["school"]))
    row.new_school = school is None
    row.teacher = teacher
    if teacher is None:
        row.status = "new"
        return
    on = calendar.today()
    changes = []
    labels = {f.name: f.verbose_name for f in Teacher._meta.get_fields() if hasattr(f, "verbose_name")}
    values = _profile_values(row.data, on=on)
    row.conflicts = _keep_newer(values, teacher, overwrite=overwrite_dates)
    for name, value in values.items():
        current = getattr(teacher, name)
        if name == "pedagogical_since" and current and teacher.pedagogical_years(on) == row.data["pedagogical_years"]:
            continue  # the same years of experience, counted from another day
        if current != value:
            changes.append(f"{labels.get(name, name)}: {_shown(name, current)} → {_shown(name, value)}")
    if row.data["email"] and row.data["email"] != teacher.user.email:
        changes.append(f"эл. почта: {teacher.user.email or '—'} → {row.data['email']}")
    employments = list(teacher.employments.all())
    if school is None or not any(e.school_id == school.pk for e in employments):
        changes.append(f"место работы: + {row.data['school']}")
    known = {fold(s.name) for s in teacher.subjects.all()}
    for subject in row.data["subjects"]:
        if fold(subject) not in known:
            changes.append(f"предмет: + {subject}")
    row.changes = changes
    row.status = "update" if changes else "same"


# --- applying -----------------------------------------------------------------------------------


@transaction.atomic
def import_run(
    table: list[list], *, by: User | None = None, progress=None, overwrite_dates: bool = False
) -> tuple[Plan, dict[str, int]]:
    """Judge and write a list in one transaction, under the import lock.

    The plan is made again inside the lock: two confirmations at once (two tabs, a double click, the same
    file uploaded twice) are applied one after the other, and the second finds everyone already there.
    `overwrite_dates` is the methodist's choice on the preview: older dates from the file replace newer ones.
    """
    lock_hold("members.import")
    plan = plan_import(table, overwrite_dates=overwrite_dates)
    return plan, import_apply(plan, by=by, progress=progress)


@transaction.atomic
def import_apply(plan: Plan, *, by: User | None = None, progress=None) -> dict[str, int]:
    """Write the new and updated rows in one transaction; errors, repeats and unchanged rows are left.

    Written in bulk, in a number of queries that does not grow with the rows: schools and subjects the file
    names are created once; new people get an account without a password and a free user name; every account,
    profile and place of work written gets its history row by `by`, the profile's with its subjects.
    """
    on = calendar.today()
    rows = [r for r in plan.rows if r.status in ("new", "update")]
    if not rows:
        return _counts(plan)
    schools = _schools_for(rows)
    subjects = _subjects_for(rows)
    _progress(progress, 1)
    new_rows = [r for r in rows if r.teacher is None]
    users = [
        User(username=username, last_name=r.data["last_name"], first_name=r.data["first_name"],
             patronymic=r.data["patronymic"], email=r.data["email"])
        for r, username in zip(new_rows, _free_usernames([r.data for r in new_rows]), strict=True)
    ]  # fmt: skip
    for user in users:
        user.set_unusable_password()
        user.refresh_sort_key()
    bulk_create_with_history(users, User, default_user=by)
    created = iter(Teacher(user=user) for user in users)
    profiles = [(row, row.teacher or next(created)) for row in rows]  # the plan's rows are left as judged
    updated = [row.teacher for row in rows if row.teacher is not None]
    changed_users = []
    for row, teacher in profiles:
        if teacher.pk and row.data["email"] and row.data["email"] != teacher.user.email:
            teacher.user.email = row.data["email"]
            changed_users.append(teacher.user)
        _set_profile_values(teacher, row.data, on=on, overwrite=plan.overwrite_dates)
    bulk_update_with_history(changed_users, User, ["email"], default_user=by)
    created = Teacher.objects.bulk_create([teacher for row, teacher in profiles if row.teacher is None])
    Teacher.objects.bulk_update(updated, PROFILE_FIELDS)
    _progress(progress, 2)
    _add_employments(profiles, updated, schools, by=by)
    links = _add_subjects(profiles, updated, subjects)
    _progress(progress, 3)
    _teacher_history(created, links, by=by)
    _teacher_history(updated, links, by=by, update=True)
    return _counts(plan)


def _counts(plan: Plan) -> dict[str, int]:
    return {"new": plan.count("new"), "updated": plan.count("update"), "rejected": plan.count("error")}


def _progress(progress, step: int) -> None:
    if progress:
        progress(step, 4)


# The Teacher fields a row may set (_profile_values), written for every updated profile at once.
PROFILE_FIELDS = [
    "phone", "self_education_topic", "category", "category_assigned_on", "last_attestation_on",
    "next_attestation_year_set", "pedagogical_since",
]  # fmt: skip


def _set_profile_values(teacher: Teacher, data: dict, *, on: datetime.date, overwrite: bool) -> None:
    """Set what the row says on the profile: an older date only with `overwrite`; the same years of experience,
    counted from another day, are left as they are."""
    values = _profile_values(data, on=on)
    if teacher.pk:
        _keep_newer(values, teacher, overwrite=overwrite)
    for name, value in values.items():
        if name == "pedagogical_since" and teacher.pk and teacher.pedagogical_years(on) == data["pedagogical_years"]:
            continue
        setattr(teacher, name, value)


def _schools_for(rows: list[Row]) -> dict[str, School]:
    """The schools by school_key(), those the rows name and the registry lacks created (locked meanwhile)."""
    schools = {}
    for school in School.objects.select_for_update():
        schools.setdefault(school_key(school.name), school)
        schools.setdefault(school_key(school.short_name), school)
    missing = {}
    for row in rows:
        missing.setdefault(school_key(row.data["school"]), row.data["school"])
    missing = {key: name for key, name in missing.items() if key not in schools}
    created = School.objects.bulk_create(School(name=name[:500], short_name=name[:200]) for name in missing.values())
    schools.update(zip(missing, created, strict=True))
    return schools


def _subjects_for(rows: list[Row]) -> dict[str, Subject]:
    """The subjects by their folded name, those the rows name first created as first spelt."""
    subjects = {fold(s.name): s for s in Subject.objects.all()}
    missing = {}
    for row in rows:
        for name in row.data["subjects"]:
            if fold(name) not in subjects:
                missing.setdefault(fold(name), name)
    created = Subject.objects.bulk_create(Subject(name=name[:200]) for name in missing.values())
    subjects.update(zip(missing, created, strict=True))
    return subjects


def _add_employments(profiles: list[tuple[Row, Teacher]], updated: list[Teacher], schools: dict, *, by) -> None:
    """A place of work for each row whose school the profile lacks; the first one of a profile is the main one."""
    existing = set(Employment.objects.filter(teacher__in=updated).values_list("teacher_id", "school_id"))
    employed = {teacher_id for teacher_id, _ in existing}
    employments = []
    for row, teacher in profiles:
        school = schools[school_key(row.data["school"])]
        if (teacher.pk, school.pk) not in existing:
            employments.append(
                Employment(teacher=teacher, school=school, position=row.data["position"] or "учитель",
                           is_main=teacher.pk not in employed)
            )  # fmt: skip
            existing.add((teacher.pk, school.pk))
            employed.add(teacher.pk)
    bulk_create_with_history(employments, Employment, default_user=by)


def _add_subjects(profiles: list[tuple[Row, Teacher]], updated: list[Teacher], subjects: dict) -> dict[int, list]:
    """Link each profile to the subjects of its row it lacks; all the links of the rows' profiles, by profile."""
    through = Teacher.subjects.through
    links: dict[int, list] = {teacher.pk: [] for _, teacher in profiles}
    for link in through.objects.filter(teacher__in=updated):
        links[link.teacher_id].append(link)
    added = []
    for row, teacher in profiles:
        known = {link.subject_id for link in links[teacher.pk]}
        for name in row.data["subjects"]:
            subject = subjects[fold(name)]
            if subject.pk not in known:
                link = through(teacher_id=teacher.pk, subject_id=subject.pk)
                links[teacher.pk].append(link)
                added.append(link)
                known.add(subject.pk)
    through.objects.bulk_create(added)
    return links


def _teacher_history(teachers: list[Teacher], links: dict[int, list], *, by: User | None, update=False) -> None:
    """One history row per profile written, by `by`, with its subjects as they now are (as save() would keep)."""
    records = Teacher.history.bulk_history_create(teachers, update=update, default_user=by)
    subject_records = Teacher.history.model.subjects.model
    subject_records.objects.bulk_create(
        subject_records(history=record, id=link.pk, teacher_id=link.teacher_id, subject_id=link.subject_id)
        for record in records
        for link in links[record.id]
    )


TRANSLIT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя", [
    "a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u", "f",
    "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"], strict=True))  # fmt: skip


def _username_base(data: dict) -> str:
    """elkina.as from the name, in Latin letters."""

    def latin(text: str) -> str:
        return "".join(TRANSLIT.get(ch, ch) for ch in text.lower() if ch.isalnum())

    initials = "".join(latin(p)[:1] for p in (data["first_name"], data["patronymic"]) if p)
    return f"{latin(data['last_name'])}.{initials}"[:140] or "teacher"


def _free_usernames(people: list[dict]) -> list[str]:
    """elkina.as, elkina.as2, … for each person in turn: the names taken are read in one query."""
    bases = [_username_base(data) for data in people]
    stems = {base.rstrip("0123456789") for base in bases}
    stem = Func(F("username"), Value("0123456789"), function="RTRIM", output_field=User._meta.get_field("username"))
    taken = set(User.objects.annotate(_stem=stem).filter(_stem__in=stems).values_list("username", flat=True))
    usernames = []
    for base in bases:
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}{n}"
        taken.add(candidate)
        usernames.append(candidate)
    return usernames


def plan_to_json(plan: Plan) -> dict:
    """What the preview page and the rejected-rows file need, as JSON (kept on the ImportJob)."""
    return {
        "header": plan.header,
        "error": plan.error,
        "rows": [
            {
                "number": r.number,
                "status": r.status,
                "name": " ".join(p for p in (r.data.get("last_name"), r.data.get("first_name"),
                                             r.data.get("patronymic")) if p),
                "school": r.data.get("school", ""),
                "new_school": r.new_school,
                "errors": r.errors,
                "changes": r.changes,
                "conflicts": r.conflicts,
                # Only rejected rows are given back as they came; the others need no cells.
                "cells": [_cell(c) for c in r.cells] if r.status == "error" else [],
            }
            for r in plan.rows
        ],
    }  # fmt: skip


def rejected_xlsx_from_json(preview: dict) -> bytes:
    from rmo_portal.excel import xlsx_bytes

    return xlsx_bytes(
        title="Отклонённые строки",
        headers=["Ошибка", *preview["header"]],
        rows=(["; ".join(r["errors"]), *r["cells"]] for r in preview["rows"] if r["status"] == "error"),
    )


def rejected_xlsx(plan: Plan) -> bytes:
    """The rejected rows as they came, with the reason in the first column, to fix and load again."""
    from rmo_portal.excel import xlsx_bytes

    return xlsx_bytes(
        title="Отклонённые строки",
        headers=["Ошибка", *plan.header],
        rows=(["; ".join(r.errors), *[_cell(c) for c in r.cells]] for r in plan.rejected),
    )


def _cell(value):
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    return value if value is None or isinstance(value, int | float | str | bool) else str(value)
