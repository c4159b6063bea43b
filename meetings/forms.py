import datetime

from django import forms
from django.utils import timezone

from members.models import User
from rmo_portal.files import UploadField

from .models import Attendance


class MeetingForm(forms.Form):
    day = forms.DateField(label="Дата", widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label="Время", widget=forms.TimeInput(attrs={"type": "time"}), initial=datetime.time(15, 0))
    duration_minutes = forms.IntegerField(label="Продолжительность, минут", min_value=15, max_value=600, initial=90)
    topic = forms.CharField(label="Тема", max_length=500)
    place = forms.CharField(label="Место", max_length=300, required=False, help_text="Школа, кабинет или адрес")
    online_url = forms.URLField(
        label="Ссылка на онлайн-заседание", max_length=500, required=False, assume_scheme="https"
    )
    off_site = forms.BooleanField(label="Выездное заседание", required=False)
    reason = forms.CharField(
        label="Причина изменения", max_length=500, required=False,
        help_text="График утверждён: изменение будет видно в его истории с этой причиной.",
    )  # fmt: skip

    def __init__(self, *args, needs_reason: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_reason:
            del self.fields["reason"]

    @property
    def starts_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.cleaned_data["day"], self.cleaned_data["time"]))


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Причина", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class CommentForm(forms.Form):
    comment = forms.CharField(label="Что исправить", widget=forms.Textarea(attrs={"rows": 3}))


class AgendaItemForm(forms.Form):
    title = forms.CharField(label="Вопрос", max_length=500)
    speaker = forms.ModelChoiceField(label="Докладчик (член объединения)", queryset=User.objects.none(), required=False)
    speaker_name = forms.CharField(label="или гость (ФИО, должность)", max_length=300, required=False)
    duration_minutes = forms.IntegerField(label="Минут", min_value=1, max_value=600, required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["speaker"].queryset = User.objects.filter(pk__in=[m.pk for m in members]).order_by("sort_key")
        self.fields["speaker"].label_from_instance = lambda u: u.get_full_name()


class MaterialForm(forms.Form):
    title = forms.CharField(label="Название", max_length=300, required=False)
    file = UploadField(label="Файл", use="document")


class GuestForm(forms.Form):
    name = forms.CharField(label="ФИО гостя", max_length=300)
    organisation = forms.CharField(label="Организация", max_length=300, required=False)


class DecisionForm(forms.Form):
    text = forms.CharField(label="Решение", widget=forms.Textarea(attrs={"rows": 2}))
    responsible = forms.ModelChoiceField(label="Ответственный", queryset=User.objects.none(), required=False)
    due_on = forms.DateField(label="Срок", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = User.objects.filter(pk__in=[m.pk for m in members]).order_by("sort_key")
        self.fields["responsible"].label_from_instance = lambda u: u.get_full_name()


def attendance_marks(data, members) -> tuple[dict[int, tuple[str, str]], dict[int, tuple[str, str]]]:
    """The marks a form sent (`status_<id>`, `reason_<id>`), with what was sent kept for redisplay."""
    marks = {}
    for user in members:
        status = data.get(f"status_{user.pk}", Attendance.Status.PRESENT)
        marks[user.pk] = (status, data.get(f"reason_{user.pk}", ""))
    return marks, marks


class SignForm(forms.Form):
    password = forms.CharField(
        label="Ваш пароль",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Подпись ставится после повторного ввода пароля (простая электронная подпись).",
    )


class ScanForm(forms.Form):
    scan = UploadField(label="Скан подписанного протокола (PDF, JPEG, PNG)", use="evidence")
