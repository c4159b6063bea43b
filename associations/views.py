import django_filters
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views import View
from django.views.generic import CreateView, DetailView, ListView, UpdateView
from django.views.generic.detail import SingleObjectMixin
from django_filters.views import FilterView

from rmo_portal import calendar, exports, workflow
from rmo_portal.excel import xlsx_response
from rmo_portal.files import file_response
from rmo_portal.forms import ValuesModelChoiceFilter
from rmo_portal.mixins import PermissionMixin
from rmo_portal.pdf import pdf_response
from rmo_portal.permissions import allowed
from rmo_portal.text import date_ru

from .filters import AssociationFilter
from .forms import AttachmentForm, CommentForm, OrderForm, ProposeMemberForm, SignForm
from .models import (
    Association,
    Membership,
    MembershipInvitation,
    Order,
    OrderAttachment,
    OrderLine,
    ProtocolRule,
    Regulation,
)
from .services import (
    WorkflowError,
    invitation_accept,
    invitation_approve,
    invitation_decline,
    membership_end,
    membership_propose,
    order_attach,
    order_leader_problems,
    order_lines_replace,
    order_return,
    order_revoke,
    order_sign,
    order_submit,
)


class AssociationListView(FilterView):
    """The district's associations, public; the service also sees dissolved ones."""

    model = Association
    filterset_class = AssociationFilter
    paginate_by = 50
    template_name = "associations/association_list.html"

    def get_queryset(self):
        return (
            Association.objects.visible_to(self.request.user)
            .select_related("regulation")
            .prefetch_related("curators")
            .with_people(on=calendar.today())
        )


class AssociationListPdfView(View):
    """The filtered list as PDF: ordered here (signed in: the file is the user's, on «Мои выгрузки»), made by a
    worker."""

    def get(self, request):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        job = exports.export_job_start(
            kind="associations_pdf", title="Методические объединения (PDF)",
            params=exports.params_from(request.GET), by=request.user,
        )  # fmt: skip
        return redirect(job)


class AssociationDetailView(DetailView):
    model = Association

    def get_queryset(self):
        return (
            Association.objects.visible_to(self.request.user)
            .select_related("regulation")
            .with_people(on=calendar.today())
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["events"] = self.object.events.visible_to(user, self.object).select_related("order")[:50]
        today = calendar.today()
        year = calendar.academic_year_of(today)
        ctx.update(
            today=today, academic_year=year, academic_year_label=calendar.academic_year_label(year),
            requirements=self.object.regulation.requirements(year),
        )  # fmt: skip
        if allowed(user, "associations.manage_composition", self.object):
            ctx["propose_form"] = ProposeMemberForm(association=self.object)
            # Not members yet: the leader sees a name, a school and a subject, never a link to the profile.
            ctx["invitations"] = (
                MembershipInvitation.objects.open()
                .filter(association=self.object)
                .select_related("user__teacher", "invited_by")
                .prefetch_related("user__teacher__employments__school", "user__teacher__subjects")
                .order_by("user__last_name", "user__first_name")
            )
            ctx["may_approve"] = allowed(user, "associations.approve_invitation", self.object)
        if allowed(self.request.user, "associations.view_people", self.object):
            ctx["memberships"] = (
                Membership.objects.current(on=calendar.today())
                .filter(association=self.object)
                .select_related("user__teacher")
                .prefetch_related("user__teacher__employments__school", "user__teacher__subjects")
                .order_by("role", "user__last_name", "user__first_name")
            )
        return ctx


class RegulationListView(PermissionMixin, ListView):
    permission_required = "members.view_district"
    model = Regulation

    def get_queryset(self):
        return Regulation.objects.select_related("copied_from")


class RegulationDetailView(PermissionMixin, DetailView):
    """A regulation's rules in plain Russian, with the due dates they give this academic year."""

    permission_required = "members.view_district"
    model = Regulation

    def get_queryset(self):
        return Regulation.objects.prefetch_related("meeting_rules", "document_rules", "publication_windows")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today = calendar.today()
        year = calendar.academic_year_of(today)
        regulation = self.object
        ctx.update(
            today=today,
            academic_year=year,
            academic_year_label=calendar.academic_year_label(year),
            protocol=ProtocolRule.objects.filter(regulation=regulation).first(),
            requirements=regulation.requirements(year),
        )
        return ctx


# --- orders ---------------------------------------------------------------------------------


class OrderFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label="Вид", choices=Order.Kind.choices, empty_label="Любой")
    status = django_filters.ChoiceFilter(label="Состояние", choices=Order.Status.choices, empty_label="Любое")
    number_year = django_filters.NumberFilter(label="Год")
    association = ValuesModelChoiceFilter(label="Объединение", queryset=Association.objects.all(), empty_label="Любое")

    class Meta:
        model = Order
        fields = ["kind", "status", "number_year", "association"]


class OrderListView(PermissionMixin, FilterView):
    """The register of orders (журнал приказов), with filters and Excel export (?format=xlsx)."""

    permission_required = "associations.view_orders"
    filterset_class = OrderFilter
    paginate_by = 50
    template_name = "associations/order_list.html"

    def get_queryset(self):
        return Order.objects.select_related("association", "candidate", "drafted_by", "signed_by")

    def render_to_response(self, context, **response_kwargs):
        if self.request.GET.get("format") != "xlsx":
            return super().render_to_response(context, **response_kwargs)
        rows = (
            [
                o.number, o.signed_on, o.get_kind_display(), o.title, str(o.association or o.new_name or ""),
                o.candidate.full_name if o.candidate else "", o.effective_date, o.get_status_display(),
                o.drafted_by.full_name, o.signed_by.full_name if o.signed_by else "",
            ]
            for o in self.filterset.qs
        )  # fmt: skip
        headers = ["Номер", "Дата", "Вид", "Заголовок", "Объединение", "Руководитель", "Вступает в силу",
                   "Состояние", "Подготовил", "Подписал"]  # fmt: skip
        return xlsx_response(title="Журнал приказов", headers=headers, rows=rows, filename="orders.xlsx")


# The list of an order creating many associations, with everything its table shows, in one query.
_LINES = Prefetch("lines", OrderLine.objects.select_related("leader", "curator", "regulation", "association"))


class OrderDetailView(PermissionMixin, DetailView):
    permission_required = "associations.view_orders"
    template_name = "associations/order_detail.html"

    def get_queryset(self):
        return Order.objects.select_related(
            "association", "candidate", "drafted_by", "signed_by", "new_regulation"
        ).prefetch_related("attachments__file", "members__user", _LINES)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            leader_problems=order_leader_problems(order=self.object),
            history=workflow.history_of(self.object),
            comment_form=kwargs.pop("comment_form", CommentForm()),
            sign_form=kwargs.pop("sign_form", SignForm()),
            attachment_form=kwargs.pop("attachment_form", AttachmentForm()),
            today=calendar.today(),
            **kwargs,
        )


class OrderCreateView(PermissionMixin, CreateView):
    permission_required = "associations.draft_order"
    form_class = OrderForm
    template_name = "associations/order_form.html"

    def get_initial(self):
        """?kind=, and ?association= and ?candidate= (pks) for a draft proposed by another page (the flagged
        leader of the deadline dashboards); a value that is not a number is ignored."""
        initial = {"effective_date": calendar.today(), "kind": self.request.GET.get("kind", "")}
        for name in ("association", "candidate"):
            value = self.request.GET.get(name, "")
            if value.isdigit():
                initial[name] = int(value)
        return initial

    def form_valid(self, form):
        form.instance.drafted_by = self.request.user
        with transaction.atomic():  # the order and its list, or nothing
            response = super().form_valid(form)
            order_lines_replace(order=self.object, lines=form.lines)
        messages.success(self.request, "Проект приказа сохранён. Проверьте его и отправьте на подпись.")
        return response


class OrderUpdateView(PermissionMixin, UpdateView):
    permission_required = "associations.edit_order"
    form_class = OrderForm
    template_name = "associations/order_form.html"

    def get_queryset(self):
        return Order.objects.all()

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            order_lines_replace(order=self.object, lines=form.lines)
        messages.success(self.request, "Проект приказа сохранён.")
        return response


class OrderActionView(PermissionMixin, SingleObjectMixin, View):
    """POST-only transitions; each calls one service and shows its Russian message on failure."""

    model = Order

    def post(self, request, *args, **kwargs):
        self.object = order = self.get_object()
        try:
            message = self.act(order)
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, message)
        return redirect(order.get_absolute_url())


class OrderSubmitView(OrderActionView):
    permission_required = "associations.edit_order"

    def act(self, order):
        order_submit(order=order, by=self.request.user)
        return "Приказ отправлен на подпись начальнику управления."


class OrderReturnView(OrderActionView):
    permission_required = "associations.sign_order"

    def act(self, order):
        form = CommentForm(self.request.POST)
        if not form.is_valid():
            raise WorkflowError("Напишите, что исправить: методист увидит комментарий.")
        order_return(order=order, by=self.request.user, comment=form.cleaned_data["comment"])
        return "Приказ возвращён методисту с комментарием."


class OrderRevokeView(OrderActionView):
    permission_required = "associations.revoke_order"

    def act(self, order):
        order_revoke(order=order, by=self.request.user, comment=self.request.POST.get("comment", ""))
        return "Приказ отменён."


class OrderSignView(PermissionMixin, SingleObjectMixin, View):
    """POST signs; an ineligible candidate needs a written reason, kept with the order.

    Any order, not only one on signature: a second «Подписать» (an old tab, a double click) hears from the service
    why not, e.g. who signed it already, instead of a bare 403.
    """

    permission_required = "associations.sign_any_order"
    model = Order

    def post(self, request, *args, **kwargs):
        order = self.object = self.get_object()
        form = SignForm(request.POST)
        form.is_valid()
        try:
            order = order_sign(
                order=order, by=request.user, override_reason=form.cleaned_data.get("override_reason", "")
            )
        except WorkflowError as error:
            if error.field is None:
                messages.error(request, str(error))
                return redirect(order.get_absolute_url())
            form.add_error(error.field, str(error))
            view = OrderDetailView(request=request, kwargs=self.kwargs, object=order)
            return TemplateResponse(
                request, view.template_name, view.get_context_data(object=order, order=order, sign_form=form)
            )
        # A date ends with «г.», which also ends the sentence.
        in_force = "вступил в силу." if order.applied_at else f"вступит в силу {date_ru(order.effective_date)}"
        messages.success(request, f"Подписан приказ № {order.number} от {date_ru(order.signed_on)}; {in_force}")
        return redirect(order.get_absolute_url())


class OrderPdfView(PermissionMixin, DetailView):
    permission_required = "associations.view_orders"
    model = Order

    def get_queryset(self):
        return Order.objects.select_related("association", "candidate", "signed_by", "new_regulation").prefetch_related(
            _LINES
        )

    def render_to_response(self, context, **response_kwargs):
        order = self.object
        return pdf_response(
            "pdf/order.html", {"order": order}, request=self.request, filename=f"order-{order.number or order.pk}.pdf"
        )


class MembershipProposeView(PermissionMixin, SingleObjectMixin, View):
    """The leader (or the curator) adds a teacher; by order where the regulation says so."""

    permission_required = "associations.manage_composition"

    def get_queryset(self):
        return Association.objects.active()

    def post(self, request, *args, **kwargs):
        association = self.object = self.get_object()
        form = ProposeMemberForm(request.POST, association=association)
        if not form.is_valid():
            messages.error(request, "Выберите педагога и роль.")
        else:
            try:
                messages.success(
                    request,
                    membership_propose(
                        association=association, user=form.cleaned_data["user"], role=form.cleaned_data["role"],
                        by=request.user,
                    ),
                )  # fmt: skip
            except WorkflowError as error:
                messages.error(request, str(error))
        return redirect(association.get_absolute_url())


class MembershipEndView(PermissionMixin, View):
    """GET asks to confirm; POST ends the membership at once (idempotent: a second time only says so)."""

    permission_required = "associations.manage_composition"
    template_name = "associations/membership_end_confirm.html"

    def get_permission_object(self):
        self.membership = get_object_or_404(
            Membership.objects.select_related("association", "user"), pk=self.kwargs["pk"]
        )
        return self.membership.association

    def get(self, request, pk):
        return TemplateResponse(request, self.template_name, {"membership": self.membership, "today": calendar.today()})

    def post(self, request, pk):
        try:
            messages.success(request, membership_end(membership=self.membership, by=request.user))
        except WorkflowError as error:
            messages.error(request, str(error))
        return redirect(self.membership.association.get_absolute_url())


class InvitationDecisionView(View):
    """The invited teacher accepts or declines: GET asks to confirm, POST decides. Another's invitation: 404."""

    template_name = "associations/invitation_confirm.html"
    action = ""  # "accept" or "decline"
    services = {"accept": invitation_accept, "decline": invitation_decline}

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.invitation = get_object_or_404(
            MembershipInvitation.objects.filter(user=request.user).select_related("association", "invited_by"),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk):
        return TemplateResponse(request, self.template_name, {"invitation": self.invitation, "action": self.action})

    def post(self, request, pk):
        try:
            messages.success(request, self.services[self.action](invitation=self.invitation, by=request.user))
        except WorkflowError as error:
            messages.error(request, str(error))
        return redirect("start_teacher")  # where her associations and the other invitations are


class InvitationApproveView(PermissionMixin, View):
    """The curating methodist (or an admin) approves a leader's invitation instead of the teacher."""

    permission_required = "associations.approve_invitation"
    template_name = "associations/invitation_confirm.html"

    def get_permission_object(self):
        self.invitation = get_object_or_404(
            MembershipInvitation.objects.select_related("association", "user", "invited_by"), pk=self.kwargs["pk"]
        )
        return self.invitation.association

    def get(self, request, pk):
        return TemplateResponse(request, self.template_name, {"invitation": self.invitation, "action": "approve"})

    def post(self, request, pk):
        try:
            messages.success(request, invitation_approve(invitation=self.invitation, by=request.user))
        except WorkflowError as error:
            messages.error(request, str(error))
        return redirect(self.invitation.association.get_absolute_url())


class OrderAttachmentAddView(PermissionMixin, SingleObjectMixin, View):
    """Attach a file to a draft (a list of members, a protocol of the election…); a refused file is explained
    beside the field, on the order's page."""

    permission_required = "associations.edit_order"
    model = Order

    def post(self, request, *args, **kwargs):
        order = self.object = self.get_object()
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                order_attach(order=order, upload=form.cleaned_data["file"], title=form.cleaned_data["title"],
                             by=request.user)  # fmt: skip
            except WorkflowError as error:
                form.add_error("file", str(error))
            else:
                messages.success(request, "Файл приложен к приказу.")
                return redirect(order.get_absolute_url())
        view = OrderDetailView(request=request, kwargs=self.kwargs, object=order)
        context = view.get_context_data(object=order, order=order, attachment_form=form)
        return TemplateResponse(request, view.template_name, context, status=400)


class OrderAttachmentView(PermissionMixin, View):
    permission_required = "associations.view_orders"

    def get(self, request, pk, item):
        attachment = get_object_or_404(OrderAttachment.objects.select_related("file"), pk=item, order_id=pk)
        return file_response(attachment.file)
