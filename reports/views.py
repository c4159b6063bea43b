"""Pages of an association's documents: thin views over reports.services."""

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views import View
from django.views.generic import TemplateView

from associations.models import Association
from associations.models import Document as Kind
from rmo_portal import calendar, exports
from rmo_portal.mixins import PermissionMixin, PublicPermissionMixin
from rmo_portal.pdf import pdf_response, render_pdf
from rmo_portal.permissions import allowed

from . import exports as report_exports
from . import services
from .forms import CommentForm, DiscussionForm, ReturnForm, VoteForm
from .models import SECTIONS, Filing, Mentorship, PlanItem
from .services import FilingError


class AssociationYearMixin:
    def get_permission_object(self):
        if not hasattr(self, "association"):
            self.association = get_object_or_404(
                Association.objects.select_related("regulation"), pk=self.kwargs["association"]
            )
            if not 2000 <= self.kwargs["year"] <= 2100:
                raise Http404
        return self.association


class DocumentsView(AssociationYearMixin, PermissionMixin, TemplateView):
    """What the association owes for a year, by the regulation, with each document's state and due date."""

    template_name = "reports/documents.html"
    permission_required = "reports.view_documents"

    def get_context_data(self, **kwargs):
        kwargs.pop("association", None), kwargs.pop("year", None)
        association = self.get_permission_object()
        year = self.kwargs["year"]
        rows = services.owed_documents(association, year)
        owed = {(r["kind"], r["quarter"]) for r in rows}
        others = [f for f in Filing.objects.filter(association=association, academic_year=year)
                  if (f.kind, f.quarter) not in owed]  # fmt: skip
        return super().get_context_data(
            association=association, year=year, year_label=calendar.academic_year_label(year), rows=rows,
            others=others, today=calendar.today(), previous_year=year - 1, next_year=year + 1,
            may_create=allowed(self.request.user, "reports.create_filing", association),
            kinds=[(k, Kind(k).label) for k in SECTIONS],
            **kwargs,
        )  # fmt: skip


class FilingCreateView(AssociationYearMixin, PermissionMixin, View):
    permission_required = "reports.create_filing"

    def post(self, request, association, year):
        quarter = request.POST.get("quarter", "0")
        try:
            filing = services.filing_create(
                association=self.get_permission_object(), kind=request.POST.get("kind", ""), academic_year=year,
                quarter=int(quarter) if quarter.isdigit() else 0, by=request.user,
            )  # fmt: skip
        except FilingError as error:
            messages.error(request, str(error))
            return redirect("reports:documents", association=association, year=year)
        messages.success(request, f"Создан документ «{filing.title}»; то, что портал уже знает, внесено.")
        return redirect("reports:edit", pk=filing.pk)


class FilingObjectMixin:
    def get_filing(self) -> Filing:
        if not hasattr(self, "filing"):
            self.filing = get_object_or_404(
                Filing.objects.visible_to(self.request.user).select_related("association__regulation"),
                pk=self.kwargs["pk"],
            )
        return self.filing

    def get_permission_object(self):
        return self.get_filing()


class FilingDetailView(FilingObjectMixin, PublicPermissionMixin, TemplateView):
    """The document: its sections with the methodist's comments beside them, the plan, sources, discussion."""

    template_name = "reports/filing_detail.html"
    permission_required = "reports.view_filing"

    def get_context_data(self, **kwargs):
        filing = self.get_filing()
        user = self.request.user
        insider = allowed(user, "reports.view_documents", filing.association)
        comments = list(filing.comments.select_related("author")) if insider else []
        sections = filing.sections
        for section in sections:
            section["comments"] = [c for c in comments if c.section == section["key"]]
            section["sources"] = [s for s in filing.sources if s["section"] == section["key"]] if insider else []
        items = list(filing.items.prefetch_related("meetings", "events")) if filing.kind == Kind.WORK_PLAN else []
        if not insider:
            sections = services.public_sections(filing, sections)
            hidden = services.hidden_names(filing)
            for item in items:  # free text: names of people who did not agree to publication go here too
                item.what, item.responsible, item.expected = (
                    services.mask_names(value, hidden) for value in (item.what, item.responsible, item.expected)
                )
        today = calendar.today()
        my_vote = filing.votes.filter(user=user).first() if user.is_authenticated else None
        return super().get_context_data(
            filing=filing, association=filing.association, sections=sections, insider=insider,
            general_comments=[c for c in comments if not c.section],
            items=items,
            due=services.due_date(filing), today=today, tally=services.vote_tally(filing),
            my_vote=my_vote,
            versions=list(filing.versions.order_by("number")) if insider else [],
            history=services.history(filing) if insider else [],
            discussion_required=services.discussion_required(filing.association, filing.kind),
            may_edit=allowed(user, "reports.edit_filing", filing),
            may_open_discussion=allowed(user, "reports.open_discussion", filing)
            and services.discussion_required(filing.association, filing.kind),
            may_discuss=allowed(user, "reports.discuss", filing),
            may_vote=allowed(user, "reports.vote", filing) and filing.is_discussion_open(today),
            may_submit=allowed(user, "reports.submit_filing", filing),
            may_review=allowed(user, "reports.review_filing", filing),
            may_approve=allowed(user, "reports.record_approval", filing),
            approval_meetings=services.approval_meetings(filing) if allowed(user, "reports.record_approval", filing)
            else [],
            pairs=list(Mentorship.objects.filter(association=filing.association, academic_year=filing.academic_year)
                       .select_related("mentor", "mentee")) if insider and filing.kind == Kind.WORK_PLAN else [],
            may_mentor=filing.kind == Kind.WORK_PLAN and allowed(user, "reports.manage_mentorship", filing.association),
            candidates=services.mentorship_candidates(filing.association, on=today)
            if filing.kind == Kind.WORK_PLAN and allowed(user, "reports.manage_mentorship", filing.association)
            else [],
            discussion_form=kwargs.pop("discussion_form", DiscussionForm()),
            comment_form=kwargs.pop("comment_form", CommentForm(sections=sections)),
            vote_form=VoteForm(initial={"choice": my_vote.choice if my_vote else None}),
            return_form=kwargs.pop("return_form", ReturnForm()),
            **kwargs,
        )  # fmt: skip


class MentorshipAddView(AssociationYearMixin, PermissionMixin, View):
    """The leader pairs a young or newly arrived specialist with a mentor (seed 004 §9.12)."""

    permission_required = "reports.manage_mentorship"

    def post(self, request, association, year):
        association = self.get_permission_object()
        people = {u.pk: u for u in services.mentorship_candidates(association, on=calendar.today())}
        try:
            mentee = people.get(int(request.POST.get("mentee", "0") or 0))
            mentor = people.get(int(request.POST.get("mentor", "0") or 0))
            if mentee is None or mentor is None:
                raise FilingError("Выберите специалиста и наставника из членов объединения.")
            services.mentorship_save(
                association=association, academic_year=year, mentee=mentee, mentor=mentor, by=request.user,
                support=request.POST.get("support", ""), result=request.POST.get("result", ""),
                newly_arrived=request.POST.get("newly_arrived") == "on",
            )  # fmt: skip
        except (FilingError, ValueError) as error:
            messages.error(request, str(error) if isinstance(error, FilingError) else "Выберите из списка.")
        else:
            messages.success(request, f"Наставник для {mentee.short_name} — {mentor.short_name}.")
        back = request.POST.get("next", "")
        return redirect(
            back if back.startswith("/documents/") else reverse("reports:documents", args=[association.pk, year])
        )


class MentorshipRemoveView(PermissionMixin, View):
    permission_required = "reports.manage_mentorship"

    def get_permission_object(self):
        self.pair = get_object_or_404(Mentorship.objects.select_related("association"), pk=self.kwargs["pk"])
        return self.pair.association

    def post(self, request, pk):
        self.get_permission_object()
        services.mentorship_remove(pair=self.pair, by=request.user)
        messages.success(request, "Пара наставничества удалена.")
        back = request.POST.get("next", "")
        return redirect(back if back.startswith("/documents/") else "/")


class ApprovalView(FilingObjectMixin, PermissionMixin, View):
    """The leader names the meeting whose protocol approved the document (or none)."""

    permission_required = "reports.record_approval"

    def post(self, request, pk):
        filing = self.get_filing()
        value = request.POST.get("meeting", "")
        meeting = None
        if value.isdigit():
            meeting = next((m for m in services.approval_meetings(filing) if m.pk == int(value)), None)
        try:
            if value and meeting is None:
                raise FilingError("Выберите заседание из списка.")
            services.filing_approved_at(filing=filing, by=request.user, meeting=meeting)
        except FilingError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, "Отметка об утверждении сохранена." if meeting else "Отметка об утверждении снята."
            )
        return redirect(filing.get_absolute_url())


class FilingEditView(FilingObjectMixin, PermissionMixin, TemplateView):
    """All sections in one form (and a plan's items); the revision it was opened at guards against overwrites."""

    template_name = "reports/filing_form.html"
    permission_required = "reports.edit_filing"

    def get_context_data(self, sent=None, **kwargs):
        filing = self.get_filing()
        sections = filing.sections
        if sent:
            for section in sections:
                section["html"] = sent["body"].get(section["key"], section["html"])
        items = sent["items"] if sent else [
            {"id": i.pk, "what": i.what, "month": i.month or "", "date": i.date.isoformat() if i.date else "",
             "form": i.form, "responsible": i.responsible, "expected": i.expected, "outcome": i.outcome,
             "meetings": [m.pk for m in i.meetings.all()], "events": [e.pk for e in i.events.all()]}
            for i in filing.items.prefetch_related("meetings", "events")
        ]  # fmt: skip
        links = {"meetings": [], "events": []}
        if filing.kind == Kind.WORK_PLAN:
            blank = dict.fromkeys(("id", "what", "month", "date", "form", "responsible", "expected", "outcome"), "")
            items = [*items, *({**blank, "meetings": [], "events": []} for _ in range(3))]
            links = services.plan_links(filing)
        return super().get_context_data(
            filing=filing, association=filing.association, sections=sections, items=items,
            forms=PlanItem.Form.choices, outcomes=PlanItem.Outcome.choices, links=links,
            months=[(n, calendar.MONTHS_NOMINATIVE[n]) for n in (9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8)],
            revision=(sent or {}).get("revision", filing.revision), **kwargs,
        )  # fmt: skip

    def post(self, request, *args, **kwargs):
        filing = self.get_filing()
        body = {key: request.POST.get(f"section_{key}", "") for key, _t, _h in SECTIONS[filing.kind]}
        items, errors = [], []
        if filing.kind == Kind.WORK_PLAN:
            ids = request.POST.getlist("item_id")
            for n, values in enumerate(
                zip(
                    ids,
                    *(
                        request.POST.getlist(f"item_{f}")
                        for f in ("what", "month", "date", "form", "responsible", "expected", "outcome")
                    ),
                    strict=False,
                ),
                start=1,
            ):
                item_id, what, month, date, form, responsible, expected, outcome = values
                row = {"id": int(item_id) if item_id.isdigit() else None, "what": what, "responsible": responsible,
                       "expected": expected, "form": form, "outcome": outcome,
                       "month": int(month) if month.isdigit() else None, "date": None,
                       "meetings": [int(v) for v in request.POST.getlist(f"item_meetings_{n}") if v.isdigit()],
                       "events": [int(v) for v in request.POST.getlist(f"item_events_{n}") if v.isdigit()]}  # fmt: skip
                if date:
                    try:
                        row["date"] = calendar_date(date)
                    except ValueError:
                        errors.append(f"Строка {n} плана: дата — в виде ДД.ММ.ГГГГ.")
                items.append(row)
        try:
            revision = int(request.POST.get("revision", "0"))
        except ValueError:
            revision = 0
        sent_items = [{**r, "id": r["id"] or "", "month": r["month"] or "",
                       "date": r["date"].isoformat() if r["date"] else ""} for r in items]  # fmt: skip
        sent = {"body": body, "items": sent_items, "revision": revision}
        if errors:
            return self.render_to_response(self.get_context_data(sent=sent, errors=errors))
        try:
            services.filing_save(filing=filing, by=request.user, revision=revision, body=body,
                                 items=items if filing.kind == Kind.WORK_PLAN else None)  # fmt: skip
        except FilingError as error:
            return self.render_to_response(self.get_context_data(sent=sent, errors=[str(error)]))
        messages.success(request, "Документ сохранён.")
        return redirect(filing.get_absolute_url())


def calendar_date(text: str):
    import datetime

    text = text.strip()
    if "-" in text:
        return datetime.date.fromisoformat(text)
    return datetime.datetime.strptime(text, "%d.%m.%Y").date()


class FilingActionView(FilingObjectMixin, PermissionMixin, View):
    """POST on a document: one service call; a refusal naming a field shows the page again with the error."""

    form_class = None
    form_name = ""

    def form_kwargs(self) -> dict:
        return {}

    def post(self, request, *args, **kwargs):
        filing = self.get_filing()
        form = self.form_class(request.POST, **self.form_kwargs()) if self.form_class else None
        try:
            if form is not None and not form.is_valid():
                raise FilingError("Проверьте поле формы.", field=next(iter(form.errors)))
            message = self.act(request, filing, form)
        except FilingError as error:
            if error.field and form is not None:
                if error.field in form.fields and not form.has_error(error.field):
                    form.add_error(error.field, str(error))
                view = FilingDetailView(request=request, kwargs=self.kwargs)
                view.filing = Filing.objects.select_related("association__regulation").get(pk=filing.pk)
                return TemplateResponse(request, view.template_name, view.get_context_data(**{self.form_name: form}))
            messages.error(request, str(error))
        else:
            messages.success(request, message)
        return redirect(filing.get_absolute_url())

    def act(self, request, filing, form) -> str:
        raise NotImplementedError


class DiscussionOpenView(FilingActionView):
    permission_required = "reports.open_discussion"
    form_class, form_name = DiscussionForm, "discussion_form"

    def act(self, request, filing, form):
        filing = services.discussion_open(filing=filing, by=request.user, until=form.cleaned_data["until"])
        return f"Проект открыт для обсуждения и голосования членов объединения до {filing.discussion_until:%d.%m.%Y}."


class CommentView(FilingActionView):
    permission_required = "reports.discuss"
    form_class, form_name = CommentForm, "comment_form"

    def form_kwargs(self):
        return {"sections": self.get_filing().sections}

    def act(self, request, filing, form):
        services.filing_comment(filing=filing, by=request.user, text=form.cleaned_data["text"],
                                section=form.cleaned_data["section"])  # fmt: skip
        return "Комментарий добавлен."


class VoteView(FilingActionView):
    permission_required = "reports.vote"
    form_class, form_name = VoteForm, "vote_form"

    def act(self, request, filing, form):
        vote = services.vote_cast(filing=filing, by=request.user, choice=form.cleaned_data["choice"])
        return f"Ваш голос учтён: «{vote.get_choice_display()}». Его можно изменить до конца обсуждения."


class SubmitView(FilingActionView):
    permission_required = "reports.submit_filing"

    def act(self, request, filing, form):
        services.filing_submit(filing=filing, by=request.user)
        return "Документ отправлен методисту на проверку."


class ReturnView(FilingActionView):
    permission_required = "reports.review_filing"
    form_class, form_name = ReturnForm, "return_form"

    def act(self, request, filing, form):
        notes = {key: request.POST.get(f"note_{key}", "") for key, _t, _h in SECTIONS[filing.kind]}
        services.filing_return(filing=filing, by=request.user, comment=form.cleaned_data["comment"],
                               section_comments=notes)  # fmt: skip
        return "Документ возвращён руководителю с замечаниями."


class AcceptView(FilingActionView):
    permission_required = "reports.review_filing"

    def act(self, request, filing, form):
        filing = services.filing_accept(filing=filing, by=request.user)
        if filing.status == Filing.Status.PUBLISHED:
            return "Документ принят и опубликован."
        return f"Документ принят; он будет опубликован {filing.publish_on:%d.%m.%Y} (по положению)."


class VersionsView(FilingObjectMixin, PermissionMixin, TemplateView):
    """Any two submitted versions side by side: what was added and removed."""

    template_name = "reports/filing_versions.html"
    permission_required = "reports.view_documents"

    def get_permission_object(self):
        return self.get_filing().association

    def get_context_data(self, **kwargs):
        filing = self.get_filing()
        versions = list(filing.versions.order_by("number"))
        numbers = [v.number for v in versions]

        def pick(name, default):
            value = self.request.GET.get(name, "")
            return int(value) if value.isdigit() and int(value) in numbers else default

        newer = pick("b", numbers[-1] if numbers else 0)
        older = pick("a", numbers[-2] if len(numbers) > 1 else newer)
        by_number = {v.number: v for v in versions}
        diff = services.version_diff(by_number[older], by_number[newer]) if versions else []
        return super().get_context_data(filing=filing, versions=versions, older=older, newer=newer, diff=diff, **kwargs)


class ReviewQueueView(PermissionMixin, TemplateView):
    """Everything the methodist's associations submitted, oldest first, with due dates."""

    template_name = "reports/review_queue.html"
    permission_required = "reports.review_queue"

    def get_context_data(self, **kwargs):
        filings = list(
            Filing.objects.awaiting_review_by(self.request.user)
            .select_related("association__regulation")
            .prefetch_related(
                "association__regulation__meeting_rules", "association__regulation__document_rules",
                "association__regulation__publication_windows",
            )
        )  # fmt: skip
        rows = [{"filing": f, "due": services.due_date(f)} for f in filings]
        return super().get_context_data(rows=rows, **kwargs)


class SummaryExportView(PermissionMixin, View):
    """The district's plans and reports for a year, as Excel: made by a worker, downloaded from «Мои выгрузки»."""

    permission_required = "reports.review_queue"

    def get(self, request):
        year = request.GET.get("year", "")
        year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else calendar.current_academic_year()
        job = exports.export_job_start(
            kind="documents_summary", title=f"Планы и отчёты района, {calendar.academic_year_label(year)}",
            params={"year": [str(year)]}, by=request.user,
        )  # fmt: skip
        return redirect(job)


class FilingPdfView(FilingObjectMixin, PublicPermissionMixin, View):
    """The PDF at once for a document of a few pages; a long one (a 20-page report) is made in the background:
    signed-in readers go to its progress page."""

    permission_required = "reports.view_filing"

    def get(self, request, pk):
        filing = self.get_filing()
        if filing.kind == Kind.PORTFOLIO and request.user.is_authenticated:
            job = exports.export_job_start(
                kind="portfolio_pdf", title=f"{filing.title} (PDF)", params={"filing": [str(filing.pk)]},
                by=request.user,
            )  # fmt: skip
            return redirect(job)
        if request.user.is_authenticated and report_exports.is_long(filing):
            job = exports.export_job_start(
                kind="filing_pdf", title=f"{filing.title} (PDF)", params={"filing": [str(filing.pk)]}, by=request.user
            )
            return redirect(job)
        view = FilingDetailView(request=request, kwargs=self.kwargs)
        view.filing = filing
        context = view.get_context_data()
        if filing.status != Filing.Status.PUBLISHED or context["insider"]:
            return pdf_response("pdf/filing.html", context, request=request, filename=f"{filing.title}.pdf")
        # The public's PDF of a published document: rendered once (a long report takes seconds), kept in the cache
        # until the document or the consents of its people change.
        key = ":".join(str(p) for p in ("filing-pdf", filing.pk, filing.updated_at.timestamp(),
                                        services.consent_stamp(filing)))  # fmt: skip
        content = cache.get(key)
        if content is None:
            content = render_pdf("pdf/filing.html", context, request=request)
            cache.set(key, content, 24 * 3600)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=False, filename=f"{filing.title}.pdf"
        )
        return response
