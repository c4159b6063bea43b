from django import forms

from members.forms import PersonChoiceField
from members.models import Teacher, User
from rmo_portal import calendar
from rmo_portal.files import UploadField

from .models import Association, Membership, MembershipInvitation, Order, Regulation

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# Which fields each kind of order needs.
REQUIRED = {
    Order.Kind.CREATE_ASSOCIATION: ["new_name", "new_kind", "new_regulation"],
    Order.Kind.DISSOLVE_ASSOCIATION: ["association"],
    Order.Kind.APPOINT_LEADER: ["association", "candidate"],
    Order.Kind.DISMISS_LEADER: ["association", "candidate"],
    Order.Kind.APPROVE_COMPOSITION: ["association"],
}


class OrderForm(forms.ModelForm):
    """A draft order; a leader candidate who does not meet the regulation is refused unless passed on knowingly."""

    pass_on_anyway = forms.BooleanField(
        label="Кандидат не соответствует положению, но передать решение начальнику (он укажет основание)",
        required=False,
    )

    class Meta:
        model = Order
        fields = [
            "kind", "title", "text", "effective_date", "association", "candidate",
            "new_name", "new_kind", "new_subject_area", "new_regulation",
        ]  # fmt: skip
        widgets = {"effective_date": DATE_WIDGET, "text": forms.Textarea(attrs={"rows": 8})}
        field_classes = {"candidate": PersonChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["association"].queryset = Association.objects.order_by("name")
        self.fields["candidate"].queryset = User.objects.filter(teacher__isnull=False)
        self.fields["new_regulation"].queryset = Regulation.objects.filter(body_kind=Regulation.BodyKind.ASSOCIATION)
        self.leader_problems: list[str] = []

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        for name in REQUIRED.get(kind, []):
            if not data.get(name):
                self.add_error(name, "Для приказа этого вида поле обязательно.")
        new_name = (data.get("new_name") or "").strip()
        if kind == Order.Kind.CREATE_ASSOCIATION and Association.objects.filter(name__iexact=new_name).exists():
            self.add_error("new_name", "Объединение с таким названием уже есть.")
        if kind in (Order.Kind.CREATE_ASSOCIATION, Order.Kind.APPOINT_LEADER) and data.get("candidate"):
            regulation = data.get("new_regulation") if kind == Order.Kind.CREATE_ASSOCIATION else (
                data["association"].regulation if data.get("association") else None
            )  # fmt: skip
            if regulation:
                teacher = (
                    Teacher.objects.filter(user=data["candidate"]).prefetch_related("educations", "subjects").first()
                )
                subject_area = (
                    data.get("new_subject_area", "")
                    if kind == Order.Kind.CREATE_ASSOCIATION
                    else data["association"].subject_area
                )
                self.leader_problems = regulation.leader_problems(
                    teacher, on=data.get("effective_date") or calendar.today(), subject_area=subject_area
                )
                if self.leader_problems and not data.get("pass_on_anyway"):
                    self.add_error("candidate", "Не соответствует положению: " + "; ".join(self.leader_problems) + ".")
        return data


class CommentForm(forms.Form):
    comment = forms.CharField(label="Комментарий", widget=forms.Textarea(attrs={"rows": 3}))


class SignForm(forms.Form):
    override_reason = forms.CharField(
        label="Основание подписать, несмотря на несоответствие кандидата",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class ProposeMemberForm(forms.Form):
    user = PersonChoiceField(label="Педагог", queryset=User.objects.none())
    role = forms.ChoiceField(
        label="Роль",
        choices=[(Membership.Role.MEMBER, "Член объединения"), (Membership.Role.SECRETARY, "Секретарь")],
    )

    def __init__(self, *args, association, **kwargs):
        super().__init__(*args, **kwargs)
        today = calendar.today()
        inside = Membership.objects.current(on=today).filter(association=association).values("user")
        invited = MembershipInvitation.objects.open().filter(association=association).values("user")
        self.fields["user"].queryset = (
            User.objects.filter(teacher__isnull=False).exclude(pk__in=inside).exclude(pk__in=invited)
        )
        self.fields["role"].widget.attrs["class"] = "form-select"


class AttachmentForm(forms.Form):
    title = forms.CharField(label="Название", max_length=300, required=False)
    file = UploadField(use="document", label="Файл")
