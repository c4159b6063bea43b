"""Views of the teacher database: thin; services write, rules decide, querysets scope."""

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView
from django.views.generic.detail import SingleObjectMixin
from django_filters.views import FilterView

from rmo_portal import calendar, exports
from rmo_portal.excel import XLSX
from rmo_portal.files import file_response
from rmo_portal.mixins import PermissionMixin
from rmo_portal.permissions import allowed
from rmo_portal.text import date_ru

from . import importer, services
from .extensions import profile_sections
from .filters import TeacherFilter
from .forms import CHANGE_FORMS, ConsentForm, ContactsForm, EvidenceForm, ImportForm, ReturnForm
from .middleware import SESSION_KEY as CONSENT_SESSION_KEY
from .models import (
    TRAINING_PERIOD_YEARS,
    AccessLog,
    Achievement,
    ChangeRequest,
    ConsentDocument,
    ImportJob,
    ProfileConfirmation,
    Teacher,
    TrainingCourse,
    academic_year_label,
    academic_year_of,
)
from .schedules import PLAN_YEARS, SCHEDULES


def own_teacher(request) -> Teacher:
    teacher = Teacher.objects.filter(user=request.user).first()
    if teacher is None:
        raise Http404("У учётной записи нет профиля педагога.")
    return teacher


class TeacherListView(PermissionMixin, FilterView):
    permission_required = "members.view_teacher_list"
    filterset_class = TeacherFilter
    paginate_by = 50
    template_name = "members/teacher_list.html"

    def get_queryset(self):
        today = calendar.today()
        return Teacher.objects.visible_to(self.request.user).for_list().with_schedule_facts(on=today).ordered()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today = ctx["today"] = calendar.today()
        cutoff = today.replace(year=today.year - TRAINING_PERIOD_YEARS)
        for teacher in ctx["object_list"]:
            teacher.ped_years = teacher.pedagogical_years(today)
            teacher.young = teacher.is_young_specialist(today)
            teacher.course_overdue = teacher.last_course is None or teacher.last_course < cutoff
        return ctx


class TeacherDetailView(PermissionMixin, DetailView):
    """The full profile; every look by someone else is logged (152-ФЗ)."""

    permission_required = "members.view_teacher"
    template_name = "members/teacher_detail.html"
    context_object_name = "teacher"

    def get_queryset(self):
        return (
            Teacher.objects.visible_to(self.request.user)
            .select_related("user")
            .prefetch_related("employments__school", "subjects", "educations", "courses", "achievements")
        )

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        services.access_log(teacher=self.object, viewer=request.user)
        return response

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        teacher = self.object
        today = calendar.today()
        year = academic_year_of(today)
        ctx.update(
            today=today,
            is_own=teacher.user_id == self.request.user.pk,
            requests=teacher.change_requests.select_related("decided_by", "resubmission")[:20],
            confirmation=ProfileConfirmation.objects.filter(teacher=teacher, academic_year=year)
            .select_related("checked_by")
            .first(),
            academic_year_label=academic_year_label(year),
            ped_years=teacher.pedagogical_years(today),
            total_years=teacher.total_years(today),
            young=teacher.is_young_specialist(today),
            profile_sections=profile_sections(teacher, self.request.user, today),
        )
        return ctx


class MyProfileView(LoginRequiredMixin, View):
    def get(self, request):
        return redirect(own_teacher(request).get_absolute_url())


class ContactsUpdateView(LoginRequiredMixin, FormView):
    """Plain contacts and the self-education topic change at once, without review."""

    form_class = ContactsForm
    template_name = "members/contacts_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.teacher = own_teacher(self.request)
        kwargs["initial"] = {"email": self.request.user.email}
        return kwargs

    @transaction.atomic
    def form_valid(self, form):
        form.save()
        user = self.request.user
        user.email = form.cleaned_data["email"]
        user.save(update_fields=["email"])
        messages.success(self.request, "Контакты сохранены.")
        return redirect(self.teacher.get_absolute_url())


class ChangeRequestCreateView(LoginRequiredMixin, TemplateView):
    """A teacher proposes a verified fact with its evidence; a reviewer decides."""

    template_name = "members/change_request_form.html"
    previous = None

    def dispatch(self, request, *args, **kwargs):
        if kwargs["kind"] not in CHANGE_FORMS:
            raise Http404
        self.kind = kwargs["kind"]
        return super().dispatch(request, *args, **kwargs)

    def get_forms(self, data=None, files=None):
        teacher = own_teacher(self.request)
        form_class = CHANGE_FORMS[self.kind]
        instance = Teacher.objects.get(pk=teacher.pk) if form_class.edits_profile else None
        initial = self.previous.data if self.previous is not None else None
        form = form_class(data=data, instance=instance, initial=initial)
        return teacher, form, EvidenceForm(data=data, files=files)

    def get(self, request, *args, **kwargs):
        teacher, form, evidence_form = self.get_forms()
        return self.render_to_response(self._context(teacher, form, evidence_form))

    def post(self, request, *args, **kwargs):
        teacher, form, evidence_form = self.get_forms(request.POST, request.FILES)
        if form.is_valid() and evidence_form.is_valid():
            try:
                self.submit(teacher, form.serialized_data(), evidence_form.cleaned_data.get("evidence"))
            except services.ProfileError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Запрос отправлен на проверку. Сведения изменятся, когда его примут.")
                return redirect(teacher.get_absolute_url())
        return self.render_to_response(self._context(teacher, form, evidence_form))

    def submit(self, teacher, data, evidence):
        services.change_request_submit(
            teacher=teacher, kind=self.kind, data=data, evidence=evidence, by=self.request.user
        )

    def _context(self, teacher, form, evidence_form):
        return self.get_context_data(
            teacher=teacher,
            form=form,
            evidence_form=evidence_form,
            kind_label=ChangeRequest.Kind(self.kind).label,
            previous=self.previous,
        )


class ChangeRequestResubmitView(ChangeRequestCreateView):
    """«Исправить и отправить снова»: the returned request's form, filled with what was sent; a new version."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.previous = get_object_or_404(
            ChangeRequest.objects.filter(teacher__user=request.user).select_related("decided_by", "evidence"),
            pk=kwargs["pk"],
        )
        self.kind = self.previous.kind
        if not self.previous.can_be_resubmitted:
            messages.info(request, "Этот запрос не ждёт исправления: его уже рассмотрели или отправили снова.")
            return redirect("members:me")
        return TemplateView.dispatch(self, request, *args, **kwargs)

    def submit(self, teacher, data, evidence):
        services.change_request_resubmit(previous=self.previous, data=data, evidence=evidence, by=self.request.user)


class ReviewQueueView(PermissionMixin, ListView):
    """Pending change requests of the teachers the reviewer looks after."""

    permission_required = "members.review_any"
    template_name = "members/review_queue.html"
    paginate_by = 50

    def get_queryset(self):
        return (
            ChangeRequest.objects.awaiting_review_by(self.request.user)
            .select_related("teacher__user", "previous__decided_by")
            .order_by("created_at")
        )


class ChangeRequestReviewView(PermissionMixin, DetailView):
    """GET shows the request beside the current profile; POST accepts or returns it."""

    permission_required = "members.review_teacher"
    template_name = "members/change_request_review.html"
    context_object_name = "change"

    def get_queryset(self):
        return ChangeRequest.objects.filter(teacher__in=Teacher.objects.visible_to(self.request.user)).select_related(
            "teacher__user", "decided_by", "created_by"
        )

    def get_permission_object(self):
        return self.get_object().teacher

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        services.access_log(
            teacher=self.object.teacher, viewer=request.user, action=AccessLog.Action.REVIEW,
            detail=self.object.get_kind_display(),
        )  # fmt: skip
        return response

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form_class = CHANGE_FORMS[self.object.kind]
        thread = self.object.thread()
        before = thread[-1].data if thread else {}
        ctx["rows"] = [
            (
                form_class.base_fields[name].label,
                _display(form_class, name, value),
                bool(thread) and before.get(name) != value,
            )
            for name, value in self.object.data.items()
        ]
        # The earlier versions, newest first, each with what was sent and why it came back.
        for version in thread:
            version.rows = [
                (form_class.base_fields[name].label, _display(form_class, name, value))
                for name, value in version.data.items()
                if name in form_class.base_fields
            ]
        ctx["thread"] = thread[::-1]
        ctx.setdefault("return_form", ReturnForm())
        return ctx

    def post(self, request, *args, **kwargs):
        self.object = change = self.get_object()
        if change.teacher.user_id == request.user.pk:
            messages.error(request, "Свой запрос рассматривает другой проверяющий.")
            return redirect(request.path)
        try:
            if "accept" in request.POST:
                services.change_request_accept(change=change, by=request.user, comment=request.POST.get("comment", ""))
                messages.success(request, f"Принято: сведения внесены в профиль ({change.teacher}).")
            else:
                form = ReturnForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(return_form=form))
                services.change_request_return(change=change, by=request.user, comment=form.cleaned_data["comment"])
                messages.success(request, "Запрос возвращён педагогу с комментарием.")
        except services.ProfileError as error:
            messages.error(request, str(error))
            return redirect(request.path)
        return redirect("members:review_queue")


def _display(form_class, name, value):
    """A requested value as a person reads it, by the field's type (never guessed from the value's shape)."""
    from django import forms as django_forms

    from rmo_portal.text import date_ru

    field = form_class.base_fields[name]
    if value in (None, "", []):
        return "—"
    if hasattr(field, "queryset"):
        pks = value if isinstance(value, list) else [value]
        return ", ".join(str(o) for o in field.queryset.filter(pk__in=[p for p in pks if p])) or "—"
    if isinstance(field, django_forms.DateField):
        try:
            return date_ru(datetime.date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    choices = dict(getattr(field, "choices", []) or [])
    if not isinstance(value, list) and value in choices:
        return choices[value]
    if isinstance(value, bool):
        return "да" if value else "нет"
    return value


class ProfileConfirmView(LoginRequiredMixin, View):
    def post(self, request):
        teacher = own_teacher(request)
        services.profile_confirm(teacher=teacher)
        messages.success(request, "Спасибо: вы подтвердили, что сведения профиля актуальны.")
        return redirect(_safe_next(request) or teacher.get_absolute_url())


class ProfileCheckView(PermissionMixin, View):
    permission_required = "members.review_teacher"

    def get_permission_object(self):
        return get_object_or_404(Teacher.objects.visible_to(self.request.user), pk=self.kwargs["pk"])

    def post(self, request, pk):
        teacher = self.get_permission_object()
        try:
            services.profile_check(teacher=teacher, by=request.user)
        except services.ProfileError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Профиль отмечен как проверенный: {teacher}.")
        return redirect(_safe_next(request) or teacher.get_absolute_url())


class TeacherHistoryView(PermissionMixin, DetailView):
    """Who changed what in the profile, and when."""

    permission_required = "members.view_teacher"
    template_name = "members/teacher_history.html"
    context_object_name = "teacher"

    def get_queryset(self):
        return Teacher.objects.visible_to(self.request.user).select_related("user")

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        services.access_log(teacher=self.object, viewer=request.user, action=AccessLog.Action.HISTORY)
        return response

    def get_context_data(self, **kwargs):
        from .history import profile_history

        return super().get_context_data(entries=profile_history(self.object), **kwargs)


class ProfileViewsView(LoginRequiredMixin, ListView):
    """The teacher sees who opened their profile."""

    template_name = "members/profile_views.html"
    paginate_by = 50

    def get_queryset(self):
        return own_teacher(self.request).access_log.select_related("viewer")


class ConsentView(LoginRequiredMixin, FormView):
    form_class = ConsentForm
    template_name = "members/consent.html"

    def dispatch(self, request, *args, **kwargs):
        self.document = ConsentDocument.current()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        consents = self.request.user.consents.select_related("document") if self.request.user.is_authenticated else []
        return super().get_context_data(document=self.document, consents=consents, **kwargs)

    def post(self, request, *args, **kwargs):
        if "withdraw" in request.POST:
            services.consent_withdraw(user=request.user)
            request.session.pop(CONSENT_SESSION_KEY, None)
            messages.warning(
                request,
                "Согласие отозвано. Обработка ваших данных прекращена; если вы не дадите согласие снова, "
                f"сведения о вас будут уничтожены {date_ru(services.erase_due_on(timezone.now()))}",
            )
            return redirect("members:consent")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        if self.document is None:
            raise Http404("Текст согласия ещё не опубликован.")
        services.consent_give(
            user=self.request.user, document=self.document, publish_allowed=form.cleaned_data["publish_allowed"]
        )
        messages.success(self.request, "Согласие сохранено. Спасибо!")
        return HttpResponseRedirect(_safe_next(self.request) or reverse("start"))


def _safe_next(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return None


def filter_description(filterset) -> str:
    """«; отбор: Школа: СОШ № 1; Категория: высшая» — what a list was narrowed by, as a person reads it."""
    form = filterset.form
    if not form.is_valid():
        return ""
    parts = []
    for name, value in form.cleaned_data.items():
        if value in (None, "", False) or (hasattr(value, "__len__") and not isinstance(value, str) and not value):
            continue
        field = form.fields[name]
        if value is True:
            shown = "да"
        elif hasattr(value, "__iter__") and not isinstance(value, str):
            shown = ", ".join(str(dict(getattr(field, "choices", [])).get(v, v)) for v in value)
        else:
            shown = str(dict(getattr(field, "choices", []) or []).get(value, value))
        parts.append(f"{field.label}: {shown}")
    return "; отбор: " + "; ".join(parts) if parts else ""


class TeacherFileView(PermissionMixin, View):
    """Certificates and diplomas are personal data: served only to those who may see the profile, and logged."""

    permission_required = "members.view_teacher"
    FILES = {"course": (TrainingCourse, "certificate"), "achievement": (Achievement, "document")}

    def get_permission_object(self):
        return get_object_or_404(Teacher.objects.visible_to(self.request.user), pk=self.kwargs["pk"])

    def get(self, request, pk, kind, item):
        if kind not in self.FILES:
            raise Http404
        model, field = self.FILES[kind]
        row = get_object_or_404(model.objects.select_related(field, "teacher"), pk=item, teacher_id=pk)
        response = file_response(getattr(row, field))
        services.access_log(
            teacher=row.teacher, viewer=request.user, action=AccessLog.Action.FILE, detail=row._meta.verbose_name
        )
        return response


class ChangeEvidenceView(PermissionMixin, View):
    """The evidence attached to a request, for its teacher and reviewers."""

    permission_required = "members.view_teacher"

    def get_permission_object(self):
        self.change = get_object_or_404(
            ChangeRequest.objects.filter(teacher__in=Teacher.objects.visible_to(self.request.user)).select_related(
                "evidence", "teacher"
            ),
            pk=self.kwargs["pk"],
        )
        return self.change.teacher

    def get(self, request, pk):
        response = file_response(self.change.evidence)
        services.access_log(
            teacher=self.change.teacher, viewer=request.user, action=AccessLog.Action.FILE,
            detail=f"к запросу «{self.change.get_kind_display()}»",
        )  # fmt: skip
        return response


class ScheduleView(PermissionMixin, FilterView):
    """A schedule for a year and the 5-year plan, 50 teachers a page; ?format=xlsx or pdf orders the whole
    schedule as a file, made in the background (rmo_portal.exports): the page stays small at any size."""

    permission_required = "members.view_teacher_list"
    filterset_class = TeacherFilter
    template_name = "members/schedule.html"
    paginate_by = 50
    schedule = None  # a members.schedules.Schedule

    def get_queryset(self):
        teachers = Teacher.objects.visible_to(self.request.user).for_list()
        return self.schedule.queryset(teachers, year=self.year(), on=calendar.today())

    def year(self) -> int:
        try:
            return int(self.request.GET.get("year", ""))
        except ValueError:
            return calendar.today().year

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("format")
        if fmt not in ("xlsx", "pdf"):
            return super().get(request, *args, **kwargs)
        self.filterset = self.get_filterset(self.get_filterset_class())
        count = self.filterset.qs.count() if self.filterset.is_valid() else 0
        title, year = self.schedule.title, self.year()
        services.access_log(
            teacher=None, viewer=request.user, action=AccessLog.Action.EXPORT,
            detail=f"{title}, {year} ({fmt.upper()}, {count} чел.)" + filter_description(self.filterset),
        )  # fmt: skip
        params = {**exports.params_from(request.GET), "year": [str(year)], "format": [fmt]}
        job = exports.export_job_start(
            kind=self.schedule.code, title=f"{title}, {year} ({fmt.upper()})", params=params, by=request.user
        )
        return redirect(job)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        year = self.year()
        rows = self.schedule.build(ctx["object_list"], year=year)
        querystring = self.request.GET.copy()
        for key in ("format", "page"):
            querystring.pop(key, None)
        ctx.update(
            title=self.schedule.title,
            due_label=self.schedule.due_label,
            year=year,
            years=list(range(year, year + PLAN_YEARS)),
            rows=rows,
            due_now=self.schedule.due_in(self.object_list, year=year).count(),
            querystring=querystring.urlencode(),
            today=calendar.today(),
        )
        return ctx


class AttestationScheduleView(ScheduleView):
    schedule = SCHEDULES["attestation"]


class TrainingScheduleView(ScheduleView):
    schedule = SCHEDULES["training"]


class TeacherExportView(PermissionMixin, FilterView):
    """The filtered list in Excel, with the columns of seed 004 §9.5: ordered here, made in the background."""

    permission_required = "members.view_teacher_list"
    filterset_class = TeacherFilter

    def get_queryset(self):
        return Teacher.objects.visible_to(self.request.user)

    def get(self, request, *args, **kwargs):
        self.filterset = self.get_filterset(self.get_filterset_class())
        count = self.filterset.qs.count() if self.filterset.is_valid() else 0
        services.access_log(
            teacher=None, viewer=request.user, action=AccessLog.Action.EXPORT,
            detail=f"База педагогов, Excel ({count} чел.)" + filter_description(self.filterset),
        )  # fmt: skip
        title = "База педагогов (Excel)" + filter_description(self.filterset).replace("; отбор:", ", отбор:")
        job = exports.export_job_start(
            kind="teachers", title=title, params=exports.params_from(request.GET), by=request.user
        )
        return redirect(job)


class TeacherImportView(PermissionMixin, FormView):
    """Upload a list: it is checked by type and size here and read by a worker (ImportJobView shows progress)."""

    permission_required = "members.import_teachers"
    template_name = "members/teacher_import.html"
    form_class = ImportForm

    def get_context_data(self, **kwargs):
        jobs = ImportJob.objects.filter(created_by=self.request.user)[:10]
        return super().get_context_data(jobs=jobs, **kwargs)

    def form_valid(self, form):
        job = services.import_job_start(upload=form.cleaned_data["file"], by=self.request.user)
        return redirect(job)


class ImportJobMixin(PermissionMixin):
    permission_required = "members.import_teachers"

    def get_queryset(self):
        """A methodist sees her own uploads (they hold whole lists of people); an administrator sees all."""
        jobs = ImportJob.objects.select_related("created_by", "confirmed_by")
        if allowed(self.request.user, "portal.use_admin"):
            return jobs
        return jobs.filter(created_by=self.request.user)


class ImportJobView(ImportJobMixin, DetailView):
    """The upload's progress, then its preview (every row with its verdict), then the result."""

    template_name = "members/import_job.html"
    context_object_name = "job"
    rows_per_page = 100

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        preview = self.object.preview or {"rows": [], "header": []}
        counts = {status: 0 for status in importer.STATUS_LABELS}
        for row in preview["rows"]:
            counts[row["status"]] += 1
        shown = self.request.GET.get("status", "")
        rows = [r for r in preview["rows"] if not shown or r["status"] == shown]
        for row in rows:
            row["status_label"] = importer.STATUS_LABELS[row["status"]]
        page = Paginator(rows, self.rows_per_page).get_page(self.request.GET.get("page"))
        querystring = self.request.GET.copy()
        querystring.pop("page", None)
        ctx.update(
            counts=counts,
            to_write=counts["new"] + counts["update"],
            total=len(preview["rows"]),
            page_obj=page,
            rows=page.object_list,
            shown=shown,
            status_choices=[(k, v) for k, v in importer.STATUS_LABELS.items() if counts[k]],
            conflicts=sum(1 for r in preview["rows"] if r.get("conflicts")),
            querystring=querystring.urlencode(),
            new_schools=sorted(
                {r["school"] for r in preview["rows"] if r["new_school"] and r["status"] in ("new", "update")}
            ),
        )
        return ctx


class ImportJobConfirmView(ImportJobMixin, SingleObjectMixin, View):
    """POST: write the previewed list, once however many times it is sent."""

    def post(self, request, pk):
        job = self.object = self.get_object()
        try:
            services.import_job_confirm(
                job=job, by=request.user, overwrite_dates=request.POST.get("overwrite_dates") == "1"
            )
        except services.ProfileError as error:
            messages.warning(request, str(error))
        return redirect(job)


class ImportJobRejectedView(ImportJobMixin, SingleObjectMixin, View):
    """The rejected rows, with reasons, as .xlsx to fix and load again."""

    def get(self, request, pk):
        job = self.get_object()
        if not job.preview:
            raise Http404
        response = HttpResponse(importer.rejected_xlsx_from_json(job.preview), content_type=XLSX)
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename="rejected-rows.xlsx")
        return response
