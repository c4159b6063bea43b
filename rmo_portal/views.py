"""Project-wide views: the public home, each role's start page, health, errors.

The start pages gather what several apps know, so they live here, above all the apps.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from associations.models import Association, Membership, MembershipInvitation, Order
from members.models import (
    ChangeRequest,
    ProfileConfirmation,
    Role,
    School,
    Teacher,
    User,
    academic_year_label,
    academic_year_of,
)

from .errors import too_many_requests
from .forms import PasswordResetForm
from .mixins import PermissionMixin
from .permissions import allowed
from .search import Fold
from .services import health_report
from .throttle import client_ip, throttle_attempt

# Which start page a user lands on, first match wins: a methodist who also leads an RMO works as a methodist.
START_PAGES = (
    ("portal.admin_start", "start_admin"),
    ("portal.head_start", "start_head"),
    ("portal.methodist_start", "start_methodist"),
    ("portal.leader_start", "start_leader"),
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


class HomeView(TemplateView):
    """What the public sees first: what the portal is, and the district's associations."""

    template_name = "home.html"

    def get(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect(start_url_for(request.user))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        return super().get_context_data(
            associations=Association.objects.active().select_related("regulation").with_people(on=today),
            teacher_count=Teacher.objects.count(),
            school_count=School.objects.count(),
            **kwargs,
        )


class StartPageView(PermissionMixin, TemplateView):
    title = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=self.title, today=timezone.localdate(), **kwargs)


class HeadStartView(StartPageView):
    permission_required = "portal.head_start"
    template_name = "start/head.html"
    title = "Рабочий стол начальника управления"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        associations = Association.objects.active().select_related("regulation").with_people(on=today)
        return super().get_context_data(
            associations=associations.prefetch_related("curators"),
            teacher_count=Teacher.objects.count(),
            school_count=School.objects.count(),
            methodist_count=User.objects.filter(role=Role.METHODIST).count(),
            awaiting_orders=Order.objects.filter(status=Order.Status.AWAITING).select_related("drafted_by"),
            **kwargs,
        )


class MethodistStartView(StartPageView):
    permission_required = "portal.methodist_start"
    template_name = "start/methodist.html"
    title = "Рабочий стол методиста"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        year = academic_year_of(today)
        mine = Association.objects.curated_by(self.request.user).active()
        teachers = Membership.objects.current(on=today).filter(association__in=mine).values("user").distinct().count()
        associations = list(
            mine.select_related("regulation").with_people(on=today).with_refresh(academic_year=year, on=today)
        )
        for a in associations:
            a.refresh_deadline = a.regulation.teacher_database_deadline(year)
        return super().get_context_data(
            associations=associations,
            teacher_count=teachers,
            academic_year_label=academic_year_label(year),
            pending_count=ChangeRequest.objects.filter(status=ChangeRequest.Status.PENDING).count(),
            **kwargs,
        )


class LeaderStartView(StartPageView):
    permission_required = "portal.leader_start"
    template_name = "start/leader.html"
    title = "Рабочий стол руководителя объединения"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        associations = list(
            Association.objects.led_by(self.request.user, on=today)
            .select_related("regulation")
            .prefetch_related("curators")
        )
        year = academic_year_of(today)
        members = (
            Membership.objects.current(on=today)
            .filter(association__in=associations)
            .select_related("user__teacher")
            .prefetch_related(
                "user__teacher__employments__school",
                "user__teacher__subjects",
                Prefetch(
                    "user__teacher__confirmations",
                    queryset=ProfileConfirmation.objects.filter(academic_year=year),
                    to_attr="this_year",
                ),
            )
            .order_by(Fold("user__last_name"), Fold("user__first_name"))
        )
        by_association = {a.pk: [] for a in associations}
        for m in members:
            teacher = getattr(m.user, "teacher", None)
            m.confirmation = teacher.this_year[0] if teacher and teacher.this_year else None
            by_association[m.association_id].append(m)
        for a in associations:
            a.current_memberships = by_association[a.pk]
            a.unconfirmed = [m for m in a.current_memberships if not (m.confirmation and m.confirmation.confirmed_at)]
            a.unchecked = [m for m in a.current_memberships if not (m.confirmation and m.confirmation.checked_at)]
            a.refresh_deadline = a.regulation.teacher_database_deadline(year)
        pending = ChangeRequest.objects.filter(
            status=ChangeRequest.Status.PENDING, teacher__in=Teacher.objects.visible_to(self.request.user)
        ).exclude(teacher__user=self.request.user)
        return super().get_context_data(
            associations=associations,
            academic_year_label=academic_year_label(year),
            pending_count=pending.count(),
            **kwargs,
        )


class TeacherStartView(StartPageView):
    permission_required = "portal.teacher_start"
    template_name = "start/teacher.html"
    title = "Мой рабочий стол"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        user = self.request.user
        teacher = Teacher.objects.filter(user=user).prefetch_related("employments__school", "subjects").first()
        memberships = (
            Membership.objects.current(on=today)
            .filter(user=user)
            .select_related("association")
            .order_by("association__name")
        )
        associations = Association.objects.filter(pk__in=[m.association_id for m in memberships]).with_people(on=today)
        leaders = {a.pk: a.leaders for a in associations}
        for m in memberships:
            m.leaders = leaders.get(m.association_id, [])
        invitations = (
            MembershipInvitation.objects.open()
            .filter(user=user, association__status=Association.Status.ACTIVE)
            .select_related("association", "invited_by")
        )
        return super().get_context_data(teacher=teacher, memberships=memberships, invitations=invitations, **kwargs)


class AdminStartView(StartPageView):
    permission_required = "portal.admin_start"
    template_name = "start/admin.html"
    title = "Рабочий стол администратора"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            health=health_report(),
            user_count=User.objects.count(),
            school_count=School.objects.count(),
            association_count=Association.objects.count(),
            **kwargs,
        )


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
