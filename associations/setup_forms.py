"""The first-run setup's forms (associations/setup.py): Russian messages beside the fields, the input kept."""

import datetime

from django import forms
from django.core.validators import validate_email

from members.models import Role
from rmo_portal.district import TIME_ZONES
from rmo_portal.models import District

from .setup import preset_choices

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DistrictForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label="Часовой пояс", choices=TIME_ZONES)

    class Meta:
        model = District
        fields = ["name", "name_genitive", "organisation_name", "portal_name", "time_zone"]


class YearForm(forms.Form):
    start_year = forms.IntegerField(label="Учебный год начинается в году", min_value=2000, max_value=2100)
    starts_on = forms.DateField(label="Начало учебного года", widget=DATE)
    ends_on = forms.DateField(label="Окончание учебного года", widget=DATE)

    def __init__(self, *args, terms: int = 4, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, terms + 1):
            self.fields[f"term{n}_starts"] = forms.DateField(label=f"{n}-я четверть: начало", widget=DATE)
            self.fields[f"term{n}_ends"] = forms.DateField(label=f"{n}-я четверть: окончание", widget=DATE)
        self.term_count = terms

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on <= starts_on:
            self.add_error("ends_on", "Окончание учебного года должно быть позже его начала.")
        if starts_on and data.get("start_year") and starts_on.year != data["start_year"]:
            self.add_error("starts_on", "Учебный год начинается в том году, который указан выше.")
        previous_end = None
        for n in range(1, self.term_count + 1):
            first, last = data.get(f"term{n}_starts"), data.get(f"term{n}_ends")
            if first is None or last is None:
                continue
            if last < first:
                self.add_error(f"term{n}_ends", "Четверть заканчивается не раньше, чем начинается.")
            if starts_on and ends_on and not (starts_on <= first and last <= ends_on):
                self.add_error(f"term{n}_starts", "Четверть должна лежать внутри учебного года.")
            if previous_end and first <= previous_end:
                self.add_error(f"term{n}_starts", "Четверть начинается после окончания предыдущей.")
            previous_end = last
        return data

    def terms(self) -> list[tuple[datetime.date, datetime.date]]:
        return [(self.cleaned_data[f"term{n}_starts"], self.cleaned_data[f"term{n}_ends"])
                for n in range(1, self.term_count + 1)]  # fmt: skip


class RegulationForm(forms.Form):
    preset = forms.ChoiceField(label="С чего начать положение района", widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preset"].choices = preset_choices()


class PeopleForm(forms.Form):
    head = forms.CharField(
        label="Начальник управления образования", max_length=400,
        help_text="Фамилия Имя Отчество; адрес электронной почты. Например: Сидорова Валентина Павловна; "
        "head@uo.example.ru",
    )  # fmt: skip
    methodists = forms.CharField(
        label="Методисты", widget=forms.Textarea(attrs={"rows": 5}), required=False,
        help_text="По одному в строке: Фамилия Имя Отчество; адрес электронной почты.",
    )  # fmt: skip

    @staticmethod
    def _person(line: str, role: str, where: str) -> dict:
        if ";" not in line:
            raise forms.ValidationError(f"{where}: после ФИО поставьте «;» и адрес электронной почты.")
        name, email = (part.strip() for part in line.rsplit(";", 1))
        parts = name.split()
        if len(parts) < 2:
            raise forms.ValidationError(f"{where}: укажите хотя бы фамилию и имя.")
        try:
            validate_email(email)
        except forms.ValidationError:
            raise forms.ValidationError(f"{where}: «{email}» — не адрес электронной почты.") from None
        return {"last_name": parts[0], "first_name": parts[1], "patronymic": " ".join(parts[2:]), "email": email,
                "role": role}  # fmt: skip

    def clean_head(self):
        return self._person(self.cleaned_data["head"].strip(), Role.DISTRICT_HEAD, "Начальник")

    def clean_methodists(self):
        lines = [line.strip() for line in self.cleaned_data["methodists"].splitlines() if line.strip()]
        errors, people = [], []
        for number, line in enumerate(lines, start=1):
            try:
                people.append(self._person(line, Role.METHODIST, f"Строка {number}"))
            except forms.ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise forms.ValidationError(errors)
        return people

    def people(self) -> list[dict]:
        return [self.cleaned_data["head"], *self.cleaned_data["methodists"]]
