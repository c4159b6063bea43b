from django import forms

from members.forms import PersonChoiceField
from members.models import Teacher, User
from rmo_portal import calendar
from rmo_portal.files import CSV, UploadField

from . import bulk
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
    """A draft order; a leader candidate who does not meet the regulation is refused unless passed on knowingly.

    An order «О создании объединений и назначении руководителей» takes its list pasted from Excel or as an .xlsx;
    every line is checked, the problems are listed beside the list line by line, and `lines` holds the checked
    lines for the view to save with the order (all or none).
    """

    lines_text = forms.CharField(
        label="Список объединений",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        help_text=(
            "Скопируйте строки из Excel (с заголовком или без) в столбцах: " + ", ".join(bulk.COLUMNS) + ". "
            "Вид — РМО, УМО, ММО, творческая или проблемная группа; руководитель — ФИО как в базе педагогов; "
            "методист — ФИО курирующего методиста; положение — название или код. "
            "Строки нумеруются без заголовка."
        ),
    )
    lines_file = UploadField(use="import", label="…или файл Excel со списком", required=False)
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
        self.lines: list[bulk.Line] = []
        if self.instance.pk and not self.is_bound:
            rows = [
                [line.name, line.get_kind_display(), line.subject_area, line.leader.full_name,
                 line.curator.full_name, line.regulation.title]
                for line in self.instance.lines.select_related("leader", "curator", "regulation")
            ]  # fmt: skip
            self.initial["lines_text"] = bulk.rows_as_text(rows)

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == Order.Kind.CREATE_MANY:
            self._clean_lines(data)
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

    def _clean_lines(self, data) -> None:
        upload = data.get("lines_file")
        try:
            if upload:
                content = upload.read()
                if upload.file_type == CSV:
                    rows = bulk.rows_from_text(_decode(content), delimiter=";" if b";" in content else ",")
                else:
                    rows = bulk.rows_from_xlsx(content)
                # The file's list goes into the text box: it stays on the page to be corrected there.
                self.data = self.data.copy()
                self.data[self.add_prefix("lines_text")] = bulk.rows_as_text(rows)
            else:
                rows = bulk.rows_from_text(data.get("lines_text") or "")
        except bulk.ListError as error:
            self.add_error("lines_file" if upload else "lines_text", str(error))
            return
        lines, errors, problems = bulk.lines_check(rows, on=data.get("effective_date") or calendar.today())
        if errors:
            self.add_error("lines_text", errors)
            return
        self.lines, self.leader_problems = lines, problems
        if problems and not data.get("pass_on_anyway"):
            self.add_error("lines_text", ["Руководитель не соответствует положению. " + p + "." for p in problems])


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise bulk.ListError("Не удалось определить кодировку CSV: сохраните файл в UTF-8 или как .xlsx.")


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
