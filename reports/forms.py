from django import forms

from .models import Vote


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
