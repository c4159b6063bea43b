import django_filters
import django_filters.fields
from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    """The log-in form with Russian labels and messages."""

    username = forms.CharField(label="Имя пользователя", widget=forms.TextInput(attrs={"autofocus": True}))
    password = forms.CharField(label="Пароль", strip=False, widget=forms.PasswordInput)

    error_messages = {
        "invalid_login": "Неверное имя пользователя или пароль. Проверьте раскладку клавиатуры и Caps Lock.",
        "inactive": "Эта учётная запись отключена. Обратитесь к администратору.",
    }


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Also mails accounts that have no password yet: teachers imported from a list set their first one here."""

    def get_users(self, email):
        users = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
        return (u for u in users if u.email and u.email.casefold() == email.casefold())


class FastSelect(forms.Select):
    """A <select> rendered in Python, not one template per option: a region's 1 000 associations in a filter
    cost a millisecond instead of most of the page's time. Same markup and attributes as Django's Select."""

    def render(self, name, value, attrs=None, renderer=None):
        from html import escape  # what django.utils.html.escape does, without its lazy-string wrapper: 2× faster

        from django.forms.utils import flatatt
        from django.utils.safestring import mark_safe

        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = {str(v) for v in self.format_value(value)}
        parts = [f"<select{flatatt(final)}>"]
        for option_value, label in self.choices:
            # An option group is flattened, its options kept.
            options = label if isinstance(label, list | tuple) else [(option_value, label)]
            for value_, label_ in options:
                text = "" if value_ is None else str(value_)
                selected = " selected" if text in chosen else ""
                parts.append(f'<option value="{escape(text)}"{selected}>{escape(str(label_))}</option>')
        parts.append("</select>")
        return mark_safe("".join(parts))


class _ValuesRows(forms.models.ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        key = self.field.to_field_name or "pk"
        for value, *parts in self.queryset.values_list(key, *self.field.label_values):
            yield (value, self.field.label_join(*parts))


class ValuesChoiceIterator(django_filters.fields.ModelChoiceIterator, _ValuesRows):
    """The choices as (key, label) read with values_list: no model instance per option."""


def join_label(*parts) -> str:
    return " ".join(str(p) for p in parts if p)


class ValuesModelChoiceField(django_filters.fields.ModelChoiceField):
    """A ModelChoiceField whose options are read as plain rows (a region's 1 000 associations without 1 000
    model objects per page). `label_values` are the fields the label is made of, `label_join` makes it and must
    say what the model's __str__ says. The chosen value is checked against the queryset exactly as before."""

    iterator = ValuesChoiceIterator

    def __init__(self, *args, label_values: tuple[str, ...] = ("name",), label_join=join_label, **kwargs):
        self.label_values = label_values
        self.label_join = label_join
        super().__init__(*args, **kwargs)


class ValuesModelChoiceFilter(django_filters.ModelChoiceFilter):
    """django-filter's ModelChoiceFilter on ValuesModelChoiceField, rendered with FastSelect."""

    field_class = ValuesModelChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", FastSelect)
        super().__init__(*args, **kwargs)


class VerifyForm(forms.Form):
    """«Проверка подписи»: the code printed on a stamp, and optionally the checksum to compare."""

    code = forms.CharField(
        label="Код проверки", max_length=40, help_text="Десять знаков со штампа, например ABCD-EFGH-JK.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )  # fmt: skip
    sha256 = forms.CharField(
        label="Контрольная сумма", max_length=80, required=False,
        help_text="Необязательно: SHA-256 со штампа (хватит первых 16 знаков), чтобы сравнить с подписанным текстом.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )  # fmt: skip

    def clean_code(self) -> str:
        from .signatures import normalise_code

        code = normalise_code(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError("Введите код проверки со штампа.")
        return code

    def clean_sha256(self) -> str:
        value = "".join(self.cleaned_data["sha256"].split()).lower().rstrip("….")
        if not value:
            return ""
        if any(ch not in "0123456789abcdef" for ch in value):
            raise forms.ValidationError("Контрольная сумма состоит из цифр 0–9 и латинских букв a–f.")
        if len(value) < 16:
            raise forms.ValidationError("Введите не меньше 16 первых знаков контрольной суммы.")
        return value


class NotificationSettingsForm(forms.Form):
    """How notifications reach a person by mail; the bell in the portal shows them all in any case."""

    email_notifications = forms.BooleanField(
        label="Присылать уведомления на почту", required=False,
        help_text="Без этого уведомления видны только в портале, под значком колокольчика.",
    )  # fmt: skip
    email_digest = forms.BooleanField(
        label="Раз в день одним письмом", required=False,
        help_text="Вместо письма на каждое уведомление — одна сводка утром.",
    )  # fmt: skip

    def clean(self):
        data = super().clean()
        if data.get("email_digest") and not data.get("email_notifications"):
            self.add_error("email_digest", "Чтобы получать письмо раз в день, включите уведомления на почту.")
        return data
