from django import forms

from associations.models import Association
from members.models import Role, User
from rmo_portal import calendar

from .models import Obligation, Vote


class DiscussionForm(forms.Form):
    until = forms.DateField(
        label="Обсуждение до (включительно)", widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Члены объединения комментируют проект и голосуют до этого дня.",
    )  # fmt: skip


class CommentForm(forms.Form):
    text = forms.CharField(label="Комментарий", widget=forms.Textarea(attrs={"rows": 3}))
    section = forms.ChoiceField(label="К разделу", required=False)

    def __init__(self, *args, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [("", "к документу в целом")] + [(s["key"], s["title"]) for s in sections]


class VoteForm(forms.Form):
    choice = forms.ChoiceField(label="Ваш голос", choices=Vote.Choice.choices, widget=forms.RadioSelect)


class ReturnForm(forms.Form):
    comment = forms.CharField(label="Замечание к документу в целом", required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip


class DeadlineFilterForm(forms.Form):
    """The deadline grid's filters (reports.dashboards.deadline_grid); the methodist filter only for those who see
    the whole district. An invalid value is dropped, not an error: the page shows the grid without it."""

    year = forms.TypedChoiceField(label="Учебный год", coerce=int, required=False)
    methodist = forms.ModelChoiceField(label="Методист", queryset=None, required=False, empty_label="Все")
    state = forms.ChoiceField(
        label="Состояние", required=False,
        choices=[("", "Любое"), *((s.value, f"есть: {s.label.lower()}") for s in Obligation.Status)],
    )  # fmt: skip
    kind = forms.ChoiceField(
        label="Вид объединения", required=False, choices=[("", "Любой"), *Association.Kind.choices]
    )
    q = forms.CharField(label="Название", required=False, max_length=100)

    def __init__(self, *args, district_wide: bool, today, **kwargs):
        super().__init__(*args, **kwargs)
        current = calendar.academic_year_of(today)
        years = range(current + 1, current - 4, -1)
        self.fields["year"].choices = [(y, calendar.academic_year_label(y)) for y in years]
        self.fields["year"].initial = current
        self.current_year = current
        if self.is_bound and not self.data.get("year"):  # the page opened without filters: this year is selected
            self.data = self.data.copy()
            self.data["year"] = str(current)
        if district_wide:
            self.fields["methodist"].queryset = User.objects.filter(role=Role.METHODIST, is_active=True).order_by(
                "sort_key", "pk"
            )
            self.fields["methodist"].label_from_instance = lambda u: u.full_name
        else:
            del self.fields["methodist"]

    def filters(self) -> dict:
        """The valid filters (an invalid one is left out) and the academic year."""
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        data["year"] = data.get("year") or self.current_year
        return data


class WaiveForm(forms.Form):
    reason = forms.CharField(
        label="Почему обязательство снимается", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Укажите, почему обязательство снимается."},
        help_text="Причина останется в истории обязательства; руководитель её увидит.",
    )  # fmt: skip
