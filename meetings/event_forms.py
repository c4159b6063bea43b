"""Forms of the district's events: the event, a material, the participants' list and its Excel import."""

from django import forms

from associations.models import Association
from members.models import Subject, Teacher
from rmo_portal import calendar
from rmo_portal.files import UploadField
from rmo_portal.permissions import allowed

from .models import Event, EventParticipant

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EventForm(forms.ModelForm):
    """An event; a leader chooses the organisers among the associations they lead (the service may pick any)."""

    class Meta:
        model = Event
        fields = ["kind", "title", "starts_on", "ends_on", "place", "subject", "organisers", "by_service",
                  "description"]  # fmt: skip
        widgets = {
            "starts_on": DATE_WIDGET,
            "ends_on": DATE_WIDGET,
            "description": forms.Textarea(attrs={"rows": 5}),
            "organisers": forms.CheckboxSelectMultiple,
        }
        help_texts = {"ends_on": "Если мероприятие в один день, оставьте пустым."}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = Subject.objects.order_by("name")
        if allowed(user, "meetings.manage_event"):  # the service: any active association
            self.fields["organisers"].queryset = Association.objects.active().order_by("name")
        else:
            led = Association.objects.led_by(user, on=calendar.today())
            kept = self.instance.organisers.all() if self.instance.pk else Association.objects.none()
            self.fields["organisers"].queryset = (led | kept).distinct().order_by("name")
            del self.fields["by_service"]

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "Дата окончания раньше даты начала.")
        return data


class MaterialForm(forms.Form):
    title = forms.CharField(label="Название", max_length=300, required=False)
    file = UploadField(use="document", label="Файл")


class ParticipantForm(forms.Form):
    """One row of the list: a name (typing suggests teachers of the database), organisation, result."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(
        label="ФИО", max_length=300, widget=forms.TextInput(attrs={"list": "teacher-names", "autocomplete": "off"})
    )
    organisation = forms.CharField(label="Организация", max_length=300, required=False)
    result = forms.ChoiceField(
        label="Результат", choices=EventParticipant.Result.choices, initial=EventParticipant.Result.PARTICIPANT
    )


class BaseParticipantFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        names = [f.cleaned_data["name"].casefold().replace("ё", "е") for f in self.forms if self._kept(f)]
        if len(names) != len(set(names)):
            raise forms.ValidationError("Один и тот же человек указан в списке дважды.")

    @staticmethod
    def _kept(form) -> bool:
        data = getattr(form, "cleaned_data", None) or {}
        return bool(data.get("name")) and not data.get("DELETE")

    def kept_rows(self) -> list[dict]:
        return [f.cleaned_data for f in self.forms if self._kept(f)]


ParticipantFormSet = forms.formset_factory(
    ParticipantForm, formset=BaseParticipantFormSet, extra=5, can_delete=True, max_num=1000, validate_max=True
)


def teacher_suggestions() -> list[tuple[str, str]]:
    """(full name, school) of every teacher, in Russian order: the suggestions of the name fields (one list)."""
    teachers = Teacher.objects.ordered().select_related("user").prefetch_related("employments__school")
    return [(t.user.full_name, str(t.main_school or "")) for t in teachers]


class ParticipantsImportForm(forms.Form):
    file = UploadField(
        use="import", label="Список участников",
        help_text="Excel (.xlsx) или CSV со столбцами «ФИО», «Организация», «Результат» "
        "(участник, призёр, победитель).",
    )  # fmt: skip
