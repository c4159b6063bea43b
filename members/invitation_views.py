"""Invitations: the service's list and its sending (members.invitations), and the teacher's way in by a link or a
code, which ends on a new password and the start page (the consent is asked there first, by the middleware)."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import FormView
from django.views.generic.detail import SingleObjectMixin
from django_filters.views import FilterView

from rmo_portal import calendar
from rmo_portal.errors import too_many_requests
from rmo_portal.mixins import PermissionMixin
from rmo_portal.pdf import pdf_response
from rmo_portal.permissions import allowed
from rmo_portal.text import count_ru
from rmo_portal.throttle import client_ip, throttle_attempt

from . import invitations
from .filters import InvitationFilter, TeacherFilter
from .forms import InvitationCodeForm
from .models import Invitation, Teacher
from .services import ProfileError
from .views import ImportJobMixin

# The session remembers which invitation a link or a code opened, until the password is set.
SESSION_KEY = "invitation_opened"
AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


def invalid_page(request, *, by_code: bool = False) -> HttpResponse:
    """«Приглашение недействительно»: what happened and what to do, never an error's trace (410 Gone)."""
    return render(request, "members/invitation_invalid.html", {"by_code": by_code}, status=410)


class InvitationListView(PermissionMixin, FilterView):
    """Who is invited, who joined, whose letter failed or whose link expired; «Отправить ещё раз»."""

    permission_required = "members.view_invitations"
    filterset_class = InvitationFilter
    template_name = "members/invitation_list.html"
    context_object_name = "invitations"
    paginate_by = 50

    def get_queryset(self):
        return Invitation.objects.select_related("user", "created_by").order_by("-created_at", "-pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        now = timezone.now()
        labels = dict(Invitation.State.choices)
        for invitation in ctx["invitations"]:
            invitation.state_code = invitation.state(now)
            invitation.state_label = labels[invitation.state_code]
        ctx["may_invite"] = allowed(self.request.user, "members.invite_teachers")
        ctx["invitation_days"] = settings.INVITATION_DAYS
        return ctx


class InvitationNewView(PermissionMixin, FilterView):
    """Choose teachers who cannot log in yet (by school, association…): letters to those with an e-mail address,
    sheets with codes (PDF) for those without."""

    permission_required = "members.invite_teachers"
    filterset_class = TeacherFilter
    template_name = "members/invitation_new.html"
    shown_filters = ("q", "school", "association", "subject")

    def get_queryset(self):
        candidates = Teacher.objects.filter(user__in=invitations.invitation_candidates())
        return candidates.select_related("user").with_schedule_facts(on=calendar.today()).ordered()

    def candidates(self):
        self.filterset = self.get_filterset(self.get_filterset_class())
        qs = self.filterset.qs if self.filterset.is_valid() else self.get_queryset()
        return invitations.invitation_candidates(qs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        users = invitations.invitation_candidates(self.filterset.qs if self.filterset.is_valid() else None)
        ctx.update(
            with_email=users.exclude(email="").count(),
            without_email=users.filter(email="").order_by("sort_key", "pk")[:200],
            without_email_count=users.filter(email="").count(),
            shown_filters=self.shown_filters,
            invitation_days=settings.INVITATION_DAYS,
        )
        return ctx

    def post(self, request, *args, **kwargs):
        users = self.candidates()
        if "codes" in request.POST:
            issued = invitations.invitation_codes_issue(users=users.filter(email=""), by=request.user)
            if not issued:
                messages.info(request, "Педагогов без электронной почты, которых нужно пригласить, нет.")
                return redirect(request.get_full_path())
            return pdf_response(
                "pdf/invitation_codes.html",
                {"sheets": issued, "site_url": settings.SITE_URL, "code_url": settings.SITE_URL
                 + reverse("members:invitation_code"), "expires_at": timezone.now()
                 + datetime.timedelta(days=settings.INVITATION_DAYS)},
                request=request,
                filename="invitation-codes.pdf",
            )  # fmt: skip
        queued = invitations.invitations_queue(users=users, by=request.user)
        messages.success(request, f"Приглашения ставятся в очередь: {queued}.")
        return redirect("members:invitation_list")


class InvitationResendView(PermissionMixin, View):
    """«Отправить ещё раз» (POST): a new link, the old one stops working."""

    permission_required = "members.invite_teachers"

    def post(self, request, pk):
        invitation = get_object_or_404(Invitation.objects.select_related("user"), pk=pk)
        try:
            invitations.invitation_resend(invitation=invitation, by=request.user)
        except ProfileError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Приглашение поставлено в очередь: {invitation.user}.")
        back = request.POST.get("back", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse("members:invitation_list")  # never another site
        return redirect(back)


class ImportJobInviteView(ImportJobMixin, SingleObjectMixin, View):
    """POST on a finished import: invite by mail everyone it created who cannot log in yet."""

    def post(self, request, pk):
        job = self.object = self.get_object()
        users = invitations.import_job_candidates(job)
        queued = invitations.invitations_queue(users=users, by=request.user)
        without = users.filter(email="").count()
        messages.success(request, f"Приглашения ставятся в очередь: {queued}.")
        if without:
            messages.info(
                request,
                f"Без электронной почты: {count_ru(without, 'педагог,педагога,педагогов')}. "
                "Листы с кодами для них — в разделе «Пригласить педагогов».",
            )
        return redirect("members:invitation_list")


def _open(request, invitation: Invitation):
    request.session[SESSION_KEY] = {"pk": invitation.pk, "hash": invitation.secret_hash}
    return redirect("members:invitation_password")


class InvitationOpenView(View):
    """The letter's link: checked, kept in the session, then the password page (the token leaves the URL)."""

    def get(self, request, token):
        invitation = invitations.invitation_by_token(token)
        if invitation is None:
            return invalid_page(request)
        return _open(request, invitation)


class InvitationCodeView(FormView):
    """«Вход по коду приглашения»: the user name and the code from the sheet; wrong tries are limited."""

    form_class = InvitationCodeForm
    template_name = "members/invitation_code.html"

    def form_valid(self, form):
        username = form.cleaned_data["username"].strip().casefold()
        for scope, ident in (("invite-code-ip", client_ip(self.request)), ("invite-code-user", username)):
            wait = throttle_attempt(
                scope, ident, limit=settings.INVITATION_CODE_LIMIT, window=settings.INVITATION_CODE_WINDOW
            )
            if wait:
                return too_many_requests(self.request, retry_after=wait)
        invitation = invitations.invitation_by_code(username, form.cleaned_data["code"])
        if invitation is None:
            form.add_error(
                "code", "Код не подходит: проверьте имя пользователя и код или попросите у методиста новый лист."
            )
            return self.form_invalid(form)
        return _open(self.request, invitation)


class InvitationPasswordView(FormView):
    """A new password for the invited teacher; then she is logged in and sent to the start page."""

    form_class = SetPasswordForm
    template_name = "members/invitation_password.html"

    def dispatch(self, request, *args, **kwargs):
        opened = request.session.get(SESSION_KEY) or {}
        self.invitation = (
            Invitation.objects.select_related("user").filter(pk=opened.get("pk"), secret_hash=opened.get("hash") or "-")
            .first()
        )  # fmt: skip
        if self.invitation is None or not self.invitation.is_valid(timezone.now()):
            request.session.pop(SESSION_KEY, None)
            return invalid_page(request)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.invitation.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(invited=self.invitation.user, **kwargs)

    def form_valid(self, form):
        try:
            user = invitations.invitation_accept(
                invitation=self.invitation, password=form.cleaned_data["new_password1"]
            )
        except ProfileError:
            return invalid_page(self.request)
        self.request.session.pop(SESSION_KEY, None)
        login(self.request, user, backend=AUTH_BACKEND)
        messages.success(self.request, "Пароль сохранён, вы вошли в портал.")
        return redirect("start")
