"""The deadline dashboards' pages: thin views over reports.dashboards and reports.deadlines."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from associations.models import Order
from rmo_portal import calendar, exports, workflow
from rmo_portal.mixins import PermissionMixin
from rmo_portal.permissions import allowed

from . import dashboards
from .deadlines import ObligationError, obligation_link, obligation_waive, step_label
from .forms import DeadlineFilterForm, WaiveForm
from .models import Obligation


def filter_form(request, today) -> DeadlineFilterForm:
    return DeadlineFilterForm(request.GET, district_wide=dashboards.is_district_wide(request.user), today=today)


class DeadlinesView(PermissionMixin, TemplateView):
    """«Сроки»: the grid of associations × obligations with filters; the head also sees the shares per methodist,
    the escalations and the flagged leaders."""

    template_name = "reports/deadlines.html"
    permission_required = "reports.view_deadlines"

    def get_context_data(self, **kwargs):
        user, today = self.request.user, calendar.today()
        form = filter_form(self.request, today)
        filters = form.filters()
        grid = dashboards.deadline_grid(user=user, academic_year=filters["year"], filters=filters, today=today)
        district_wide = dashboards.is_district_wide(user)
        context = {
            "form": form, "grid": grid, "district_wide": district_wide, "today": today,
            "legend": [(s, label, Obligation.STATUS_BADGE[s], n) for s, label, n in grid.counts],
            "flags": dashboards.leaders_flagged(today=today, user=user),
            "may_draft": allowed(user, "associations.draft_order"),
        }  # fmt: skip
        if district_wide:
            context.update(
                by_methodist=dashboards.compliance_by_methodist(academic_year=grid.academic_year, today=today),
                escalations=dashboards.escalations_to_head(today=today),
                orders_to_sign=Order.objects.filter(status=Order.Status.AWAITING).count(),
            )
        return super().get_context_data(**context, **kwargs)


class DeadlinesExportView(PermissionMixin, View):
    """The grid as Excel with the page's filters: made by a worker, downloaded from «Мои выгрузки» (as the
    documents' summary is)."""

    permission_required = "reports.view_deadlines"

    def get(self, request):
        form = filter_form(request, calendar.today())
        year = calendar.academic_year_label(form.filters()["year"])
        job = exports.export_job_start(
            kind="deadlines_grid", title=f"Исполнение сроков, {year}", params=exports.params_from(request.GET),
            by=request.user,
        )  # fmt: skip
        return redirect(job)


class ObligationMixin:
    def get_obligation(self) -> Obligation:
        if not hasattr(self, "obligation"):
            self.obligation = get_object_or_404(
                Obligation.objects.visible_to(self.request.user).select_related(
                    "association__regulation", "owner", "reviewer", "meeting"
                ),
                pk=self.kwargs["pk"],
            )
        return self.obligation

    def get_permission_object(self):
        return self.get_obligation()


class ObligationDetailView(ObligationMixin, PermissionMixin, TemplateView):
    """One obligation: what, whose, by when, its state and history, the reminders sent, where it is fulfilled;
    the curator's waive form."""

    template_name = "reports/obligation_detail.html"
    permission_required = "reports.view_obligation"

    def get_context_data(self, **kwargs):
        obligation = self.get_obligation()
        # The letters (who was reminded, the escalations, a flagged leader) are the service's: a member sees her own.
        reminders = obligation.reminders.select_related("recipient", "notification").order_by("created_at", "pk")
        if not allowed(self.request.user, "reports.view_deadlines"):
            reminders = reminders.filter(recipient=self.request.user).exclude(step__in=("methodist", "head", "flag"))
        reminders = list(reminders)
        for reminder in reminders:
            reminder.step_label = step_label(reminder.step)
        return super().get_context_data(
            obligation=obligation, association=obligation.association,
            year_label=calendar.academic_year_label(obligation.academic_year), history=workflow.history_of(obligation),
            reminders=reminders, link=obligation_link(obligation, reverse=reverse),
            may_waive=obligation.is_open and allowed(self.request.user, "reports.waive_obligation", obligation),
            waive_form=kwargs.pop("waive_form", None) or WaiveForm(), **kwargs,
        )  # fmt: skip


class ObligationWaiveView(ObligationMixin, PermissionMixin, View):
    """POST: the curator (or an administrator) takes the obligation off with a reason."""

    permission_required = "reports.waive_obligation"

    def post(self, request, pk):
        obligation = self.get_obligation()
        form = WaiveForm(request.POST)
        if not form.is_valid():
            view = ObligationDetailView(request=request, kwargs=self.kwargs)
            view.obligation = obligation
            return view.render_to_response(view.get_context_data(waive_form=form), status=400)
        try:
            obligation_waive(obligation=obligation, by=request.user, reason=form.cleaned_data["reason"])
        except ObligationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Обязательство снято; причина записана в его историю.")
        return redirect(obligation.get_absolute_url())
