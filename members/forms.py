"""Forms of the teacher database. They validate; services act."""

import datetime

from django import forms
from django.conf import settings
from django.db import models

from rmo_portal import calendar
from rmo_portal.files import UploadField
from rmo_portal.search import Fold
from rmo_portal.text import count_ru

from .models import Achievement, Education, Employment, School, Teacher, TrainingCourse

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# What a teacher edits directly, at once; everything else is a verified fact (CHANGE_FORMS).
SELF_EDITED_FIELDS = ("phone", "self_education_topic")


class ContactsForm(forms.ModelForm):
    """The fields a teacher changes without review, plus the account's e-mail."""

    email = forms.EmailField(label="Электронная почта", required=False)

    class Meta:
        model = Teacher
        fields = SELF_EDITED_FIELDS


class ChangeForm(forms.ModelForm):
    """A verified fact: the teacher proposes it, a reviewer accepts it."""

    # The model's file field that receives the evidence when the request is accepted.
    evidence_field: str | None = None
    # True: the form edits the teacher's profile itself; False: it adds a row (a course, a diploma…).
    edits_profile = False

    def serialized_data(self) -> dict:
        """The cleaned data as JSON: dates in ISO, rows by primary key; fed back to the form on acceptance."""
        data = {}
        for name in self.fields:
            value = self.cleaned_data.get(name)
            if isinstance(value, datetime.date):
                value = value.isoformat()
            elif isinstance(value, models.Model):
                value = value.pk
            elif isinstance(value, models.QuerySet):
                value = [obj.pk for obj in value]
            data[name] = value
        return data


def _not_in_future(value: datetime.date | None) -> None:
    if value and value > calendar.today():
        raise forms.ValidationError("Дата не может быть в будущем.")


class CategoryForm(ChangeForm):
    edits_profile = True

    class Meta:
        model = Teacher
        fields = ["category", "category_assigned_on", "category_order", "last_attestation_on"]
        widgets = {"category_assigned_on": DATE_WIDGET, "last_attestation_on": DATE_WIDGET}

    def clean_category_assigned_on(self):
        value = self.cleaned_data["category_assigned_on"]
        _not_in_future(value)
        return value

    def clean(self):
        data = super().clean()
        if data.get("category") not in (None, "", "none") and not data.get("category_assigned_on"):
            self.add_error("category_assigned_on", "Укажите дату присвоения категории.")
        return data


class EducationForm(ChangeForm):
    class Meta:
        model = Education
        fields = ["level", "institution", "year", "speciality", "is_pedagogical"]

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 1950 <= year <= calendar.today().year:
            raise forms.ValidationError("Год окончания — четыре цифры, не позже текущего года.")
        return year


class TrainingCourseForm(ChangeForm):
    evidence_field = "certificate"

    class Meta:
        model = TrainingCourse
        fields = ["start_date", "end_date", "provider", "topic", "hours"]
        widgets = {"start_date": DATE_WIDGET, "end_date": DATE_WIDGET}

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "Окончание курса не может быть раньше начала.")
        if end:
            try:
                _not_in_future(end)
            except forms.ValidationError as error:
                self.add_error("end_date", error)
        if data.get("hours") is not None and not 1 <= data["hours"] <= 2000:
            self.add_error("hours", "Укажите число часов от 1 до 2000.")
        return data


class AchievementForm(ChangeForm):
    evidence_field = "document"

    class Meta:
        model = Achievement
        fields = ["kind", "title", "level", "result", "date"]
        widgets = {"date": DATE_WIDGET}

    def clean_date(self):
        value = self.cleaned_data["date"]
        _not_in_future(value)
        return value


class WorkForm(ChangeForm):
    """The main place of work, subjects and the start of experience."""

    edits_profile = True
    school = forms.ModelChoiceField(
        label="Основное место работы", queryset=School.objects.all(), required=False,
        help_text="Если организации нет в списке, напишите о ней методисту.",
    )  # fmt: skip
    position = forms.CharField(label="Должность", max_length=200, required=False)

    class Meta:
        model = Teacher
        fields = ["school", "position", "subjects", "pedagogical_since", "total_since"]
        widgets = {
            "pedagogical_since": DATE_WIDGET,
            "total_since": DATE_WIDGET,
            "subjects": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        main = self.instance.main_employment if self.instance.pk else None
        if main and not self.is_bound:
            # A request sent again comes with its own place of work in `initial`.
            self.initial.setdefault("school", main.school_id)
            self.initial.setdefault("position", main.position)

    def clean(self):
        data = super().clean()
        for name in ("pedagogical_since", "total_since"):
            try:
                _not_in_future(data.get(name))
            except forms.ValidationError as error:
                self.add_error(name, error)
        ped, total = data.get("pedagogical_since"), data.get("total_since")
        if ped and total and total > ped:
            self.add_error("total_since", "Общий стаж не может начаться позже педагогического.")
        if data.get("school") and not data.get("position"):
            self.add_error("position", "Укажите должность на новом месте работы.")
        return data


CHANGE_FORMS: dict[str, type[ChangeForm]] = {
    "work": WorkForm,
    "category": CategoryForm,
    "education": EducationForm,
    "course": TrainingCourseForm,
    "achievement": AchievementForm,
}


class EvidenceForm(forms.Form):
    evidence = UploadField(
        use="evidence",
        label="Подтверждающий документ (скан, PDF или фото)",
        required=False,
        help_text="Удостоверение, диплом, приказ о категории, грамота: PDF, JPEG или PNG, до "
        f"{settings.UPLOAD_LIMITS_MB['evidence']:g} МБ.",
    )


class ReturnForm(forms.Form):
    comment = forms.CharField(label="Почему запрос возвращается", widget=forms.Textarea(attrs={"rows": 3}))


class ConsentForm(forms.Form):
    agree = forms.BooleanField(label="Я даю согласие на обработку моих персональных данных на условиях выше")
    publish_allowed = forms.BooleanField(
        label="Разрешаю публиковать на открытых страницах портала мои ФИО, место работы, предмет и достижения",
        required=False,
    )


class ImportForm(forms.Form):
    file = UploadField(
        use="import",
        label="Файл со списком педагогов (.xlsx или .csv)",
        help_text="Заголовки столбцов по-русски, в любом порядке: Ф.И.О. (или Фамилия, Имя, Отчество), школа, "
        "предмет, категория, дата последней аттестации, год очередной аттестации, стаж, телефон, e-mail. "
        f"До {settings.UPLOAD_LIMITS_MB['import']:g} МБ и {count_ru(settings.IMPORT_MAX_ROWS, 'строки,строк,строк')}. "
        "Файл .xls сохраните в Excel как .xlsx.",
    )


class _PeopleInOrder(forms.models.ModelChoiceIterator):
    """The options of a PersonChoiceField: Russian order, each person's school fetched with the rest."""

    def __init__(self, field):
        super().__init__(field)
        self.queryset = (
            self.queryset.select_related("teacher")
            .prefetch_related(
                models.Prefetch("teacher__employments", queryset=Employment.objects.select_related("school"))
            )
            .order_by(Fold("last_name"), Fold("first_name"), Fold("patronymic"), "pk")
        )


class PersonChoiceField(forms.ModelChoiceField):
    """A person picked from a long list: «Ёлкина Анна Сергеевна — СОШ № 1», in Russian order (ё with е) on
    SQLite and PostgreSQL alike, in two queries however many people; static/js/select_filter.js puts a
    search box above it (the plain list works without JS)."""

    iterator = _PeopleInOrder

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset, **kwargs)
        self.widget.attrs.update({"class": "form-select", "data-filterable": ""})

    def label_from_instance(self, user) -> str:
        teacher = getattr(user, "teacher", None)
        school = teacher.main_school if teacher else None
        name = user.full_name or user.username
        return f"{name} — {school}" if school else name


class InvitationCodeForm(forms.Form):
    """The user name and the code from the sheet the methodist handed over."""

    username = forms.CharField(
        label="Имя пользователя",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )
    code = forms.CharField(
        label="Код из приглашения",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
