"""Project-wide views: the public home, each role's start page, health, errors.

The start pages show the panels the apps register (rmo_portal.panels); this module knows no app's models.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from rmo_portal import calendar

from .district import district
from .errors import too_many_requests
from .forms import PasswordResetForm, VerifyForm
from .mixins import PermissionMixin
from .panels import shown_panels
from .permissions import allowed
from .services import health_report
from .throttle import client_ip, throttle_attempt

# Which start page a user lands on, first match wins: a methodist who also leads an RMO works as a methodist.
START_PAGES = (
    ("portal.admin_start", "start_admin"),
    ("portal.head_start", "start_head"),
    ("portal.methodist_start", "start_methodist"),
    ("portal.leader_start", "start_leader"),
    ("portal.secretary_start", "start_secretary"),
    ("portal.teacher_start", "start_teacher"),
)


def start_url_for(user) -> str:
    for perm, url_name in START_PAGES:
        if allowed(user, perm):
            return reverse(url_name)
    return reverse("home")


def start(request: HttpRequest):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return redirect(start_url_for(request.user))


class PanelsMixin:
    """Renders the panels registered on `page` that the user may see, in their order."""

    page = ""
    title = ""

    def get_context_data(self, **kwargs):
        today = calendar.today()
        return super().get_context_data(
            title=self.title, today=today, panels=shown_panels(self.page, self.request, today), **kwargs
        )


class HomeView(PanelsMixin, TemplateView):
    """What the public sees first: what the portal is, and the district's associations."""

    template_name = "home.html"
    page = "home"

    def get(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect(start_url_for(request.user))
        return super().get(request, *args, **kwargs)


class StartPageView(PermissionMixin, PanelsMixin, TemplateView):
    template_name = "start/page.html"


class HeadStartView(StartPageView):
    permission_required = "portal.head_start"
    page = "head"
    title = "Рабочий стол начальника управления"


class MethodistStartView(StartPageView):
    permission_required = "portal.methodist_start"
    page = "methodist"
    title = "Рабочий стол методиста"


class LeaderStartView(StartPageView):
    permission_required = "portal.leader_start"
    page = "leader"
    title = "Рабочий стол руководителя объединения"


class SecretaryStartView(StartPageView):
    permission_required = "portal.secretary_start"
    page = "secretary"
    title = "Рабочий стол секретаря объединения"


class TeacherStartView(StartPageView):
    permission_required = "portal.teacher_start"
    page = "teacher"
    title = "Мой рабочий стол"


class AdminStartView(StartPageView):
    permission_required = "portal.admin_start"
    page = "admin"
    title = "Рабочий стол администратора"

    def get(self, request, *args, **kwargs):
        # A real installation whose district is not set up yet: the administrator's first log-in opens the setup
        # (associations/setup.py; by URL name, the kernel imports no app).
        if settings.FIRST_RUN_SETUP and not district().configured:
            return redirect("setup")
        return super().get(request, *args, **kwargs)


class BenchCeilingView(TemplateView):
    """The benchmark's ceiling: the base layout and every middleware, a 50-row table, no queries of its own."""

    template_name = "bench_ceiling.html"

    def get_context_data(self, **kwargs):
        rows = [(i, f"Педагог № {i}", f"Школа № {i % 7 + 1}", f"{i % 30 + 1}.09.2026") for i in range(1, 51)]
        return super().get_context_data(title="Потолок замеров", rows=rows, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    """«Забыли пароль?», throttled: past the limit per client address a 429 page; past the limit per e-mail
    address no letter, yet the same «письмо отправлено» page, so that the answer never tells which addresses exist.
    """

    form_class = PasswordResetForm

    def post(self, request, *args, **kwargs):
        wait = throttle_attempt(
            "password-reset-ip",
            client_ip(request),
            limit=settings.PASSWORD_RESET_LIMIT_PER_IP,
            window=settings.PASSWORD_RESET_WINDOW,
        )
        if wait:
            return too_many_requests(request, retry_after=wait)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        wait = throttle_attempt(
            "password-reset-email",
            form.cleaned_data["email"].casefold(),
            limit=settings.PASSWORD_RESET_LIMIT_PER_EMAIL,
            window=settings.PASSWORD_RESET_WINDOW,
        )
        if wait:
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


def healthz(request: HttpRequest) -> JsonResponse:
    """Machine-readable health: 200 only when the database, the broker and the beat are fine."""
    report = health_report()
    return JsonResponse(report, status=200 if report["ok"] else 503, json_dumps_params={"ensure_ascii": False})


# --- files made in the background (rmo_portal.exports) ------------------------------------------


class ExportJobMixin(LoginRequiredMixin):
    """Only the owner finds her background files; anybody else gets 404 (they hold lists of people)."""

    def get_queryset(self):
        from .models import ExportJob

        return ExportJob.objects.filter(owner=self.request.user).select_related("result")


class ExportJobListView(ExportJobMixin, ListView):
    """«Мои выгрузки»: the files the user asked for, with their state; ready ones can be downloaded."""

    template_name = "exports/export_job_list.html"
    context_object_name = "jobs"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["working"] = any(job.is_working for job in ctx["jobs"])
        return ctx


class ExportJobView(ExportJobMixin, DetailView):
    """The progress of one background file (the page refreshes itself while it is made), then its link."""

    template_name = "exports/export_job.html"
    context_object_name = "job"


class ExportJobDownloadView(ExportJobMixin, SingleObjectMixin, View):
    def get(self, request, pk):
        from .files import file_response
        from .models import ExportJob

        job = self.get_object()
        if job.status != ExportJob.Status.DONE:
            raise Http404("Файл не готов или уже удалён.")
        return file_response(job.result, as_attachment=True)


# --- the public check of a signature (rmo_portal.signatures) ---------------------------------------------


class VerifyView(TemplateView):
    """«Проверка электронной подписи»: anyone with a printed copy types the stamp's code (and, if they like, its
    checksum) and sees who signed what, when, and whether the checksum is the signed text's.

    The form is sent by GET (a look-up changes nothing); an unknown code is a message on the same page (200).
    Look-ups are counted per client address: past the limit, a 429 page.
    """

    template_name = "verify.html"

    def get(self, request, *args, **kwargs):
        from .signatures import signature_find, signatures_of

        form = VerifyForm(request.GET or None)
        context = {"title": "Проверка электронной подписи", "form": form, "searched": False}
        if form.is_bound and form.is_valid():
            wait = throttle_attempt(
                "verify-ip", client_ip(request), limit=settings.VERIFY_LIMIT_PER_IP, window=settings.VERIFY_WINDOW
            )
            if wait:
                return too_many_requests(request, retry_after=wait)
            signature = signature_find(form.cleaned_data["code"])
            entered_hash = form.cleaned_data["sha256"]
            context.update(
                searched=True,
                signature=signature,
                entered_hash=entered_hash,
                hash_matches=signature.hash_matches(entered_hash) if signature and entered_hash else None,
                all_signatures=signatures_of(signature.document_key, signature.document_version) if signature else [],
            )
        return self.render_to_response(self.get_context_data(**context))
