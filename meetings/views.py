"""Pages of the year's schedule, meetings and protocols: thin views over meetings.services."""

from django.contrib import messages
from django.core.cache import cache
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.http import content_disposition_header
from django.views import View
from django.views.generic import TemplateView

from associations.models import Association
from rmo_portal import calendar, workflow
from rmo_portal.files import file_response
from rmo_portal.mixins import PermissionMixin, PublicPermissionMixin
from rmo_portal.pdf import pdf_response, render_pdf
from rmo_portal.permissions import allowed
from rmo_portal.signatures import signatures_of
from rmo_portal.text import date_ru, plural_ru

from . import services
from .forms import (
    AgendaItemForm,
    CommentForm,
    DecisionForm,
    GuestForm,
    MaterialForm,
    MeetingForm,
    ReasonForm,
    ScanForm,
    SignForm,
)
from .models import AgendaItem, AgendaMaterial, Attendance, Decision, Guest, Meeting, Protocol, Schedule
from .services import MeetingError

# --- the schedule ---------------------------------------------------------------------------------------


class ScheduleView(PublicPermissionMixin, TemplateView):
    """The association's meetings for an academic year, laid against the regulation's periods."""

    template_name = "meetings/schedule.html"
    permission_required = "meetings.view_schedule"

    def get_permission_object(self):
        if not hasattr(self, "schedule"):
            association = get_object_or_404(
                Association.objects.select_related("regulation"), pk=self.kwargs["association"]
            )
            year = self.kwargs["year"]
            if not 2000 <= year <= 2100:
                raise Http404
            self.schedule = Schedule.objects.filter(association=association, academic_year=year).first() or Schedule(
                association=association, academic_year=year
            )
        return self.schedule

    def get_context_data(self, **kwargs):
        kwargs.pop("association", None), kwargs.pop("year", None)  # the URL's, replaced by the objects
        schedule = self.get_permission_object()
        association, year = schedule.association, schedule.academic_year
        user = self.request.user
        meetings = list(
            Meeting.objects.filter(association=association, academic_year=year).select_related("protocol")
            if allowed(user, "meetings.view_meeting", association)
            else Meeting.objects.none()
        )
        if not meetings and schedule.schedule_published:
            meetings = list(
                Meeting.objects.filter(association=association, academic_year=year, schedule_published=True)
            )
        checks = services.schedule_check(association=association, academic_year=year, meetings=meetings)
        return super().get_context_data(
            schedule=schedule,
            association=association,
            year_label=calendar.academic_year_label(year),
            meetings=meetings,
            checks=checks,
            problems=services.schedule_problems(checks, today=calendar.today()),
            publishes=services.publishes_schedule(association),
            changes=services.schedule_changes_after_approval(schedule) if schedule.pk else [],
            previous_year=year - 1,
            next_year=year + 1,
            may_plan=allowed(user, "meetings.plan_meetings", association),
            may_approve=allowed(user, "meetings.approve_schedule", association)
            and schedule.status == Schedule.Status.DRAFT,
            **kwargs,
        )


class ScheduleApproveView(PermissionMixin, View):
    permission_required = "meetings.approve_schedule"

    def get_permission_object(self):
        return get_object_or_404(Association, pk=self.kwargs["association"])

    def post(self, request, association, year):
        schedule = services.schedule_get(association=self.get_permission_object(), academic_year=year)
        try:
            services.schedule_approve(schedule=schedule, by=request.user)
        except MeetingError as error:
            messages.error(request, str(error))
        else:
            published = " и опубликован" if services.publishes_schedule(schedule.association) else ""
            messages.success(request, f"График на {schedule.year_label} учебный год утверждён{published}.")
        return redirect(schedule.get_absolute_url())


class MeetingCreateView(PermissionMixin, TemplateView):
    """Plan a meeting; the page shows beforehand which periods still lack meetings."""

    template_name = "meetings/meeting_form.html"
    permission_required = "meetings.plan_meetings"

    def get_permission_object(self):
        if not hasattr(self, "association"):
            self.association = get_object_or_404(
                Association.objects.select_related("regulation"), pk=self.kwargs["association"]
            )
        return self.association

    def get_context_data(self, form=None, **kwargs):
        kwargs.pop("association", None)  # the URL's, replaced by the object
        year = self.request.GET.get("year", "")
        year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else calendar.current_academic_year()
        meetings = list(Meeting.objects.filter(association=self.association, academic_year=year))
        checks = services.schedule_check(association=self.association, academic_year=year, meetings=meetings)
        return super().get_context_data(
            association=self.association,
            form=form or MeetingForm(),
            problems=services.schedule_problems(checks, today=calendar.today()),
            year_label=calendar.academic_year_label(year),
            year=year,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = MeetingForm(request.POST)
        if form.is_valid():
            try:
                meeting = services.meeting_plan(
                    association=self.association, by=request.user, starts_at=form.starts_at,
                    topic=form.cleaned_data["topic"], place=form.cleaned_data["place"],
                    online_url=form.cleaned_data["online_url"], off_site=form.cleaned_data["off_site"],
                    duration_minutes=form.cleaned_data["duration_minutes"],
                )  # fmt: skip
            except MeetingError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(request, f"Заседание запланировано на {meeting.when_label}.")
                meetings = list(
                    Meeting.objects.filter(association=self.association, academic_year=meeting.academic_year)
                )
                checks = services.schedule_check(
                    association=self.association, academic_year=meeting.academic_year, meetings=meetings
                )
                for problem in services.schedule_problems(checks, today=calendar.today()):
                    messages.warning(request, problem)
                return redirect("meetings:schedule", association=self.association.pk, year=meeting.academic_year)
        return self.render_to_response(self.get_context_data(form=form))


class MeetingObjectMixin:
    """The meeting in the URL, if the user may see it at all (else 404)."""

    def get_meeting(self) -> Meeting:
        if not hasattr(self, "meeting"):
            self.meeting = get_object_or_404(
                Meeting.objects.visible_to(self.request.user).select_related("association__regulation"),
                pk=self.kwargs["pk"],
            )
        return self.meeting

    def get_permission_object(self):
        return self.get_meeting()


class MeetingUpdateView(MeetingObjectMixin, PermissionMixin, TemplateView):
    template_name = "meetings/meeting_form.html"
    permission_required = "meetings.edit_meeting"

    def get_context_data(self, form=None, **kwargs):
        meeting = self.get_meeting()
        start = meeting.local_start
        form = form or MeetingForm(
            initial={
                "day": start.date(), "time": start.time(), "duration_minutes": meeting.duration_minutes,
                "topic": meeting.topic, "place": meeting.place, "online_url": meeting.online_url,
                "off_site": meeting.off_site,
            },
            needs_reason=meeting.schedule_published,
        )  # fmt: skip
        return super().get_context_data(
            association=meeting.association, meeting=meeting, form=form, cancel_form=ReasonForm(), **kwargs
        )

    def post(self, request, *args, **kwargs):
        meeting = self.get_meeting()
        form = MeetingForm(request.POST, needs_reason=meeting.schedule_published)
        if form.is_valid():
            try:
                services.meeting_update(
                    meeting=meeting, by=request.user, starts_at=form.starts_at, topic=form.cleaned_data["topic"],
                    place=form.cleaned_data["place"], online_url=form.cleaned_data["online_url"],
                    off_site=form.cleaned_data["off_site"], duration_minutes=form.cleaned_data["duration_minutes"],
                    reason=form.cleaned_data.get("reason", ""),
                )  # fmt: skip
            except MeetingError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                messages.success(request, "Заседание изменено.")
                return redirect(meeting.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form))


class MeetingCancelView(MeetingObjectMixin, PermissionMixin, View):
    permission_required = "meetings.edit_meeting"

    def post(self, request, pk):
        meeting = self.get_meeting()
        form = ReasonForm(request.POST)
        try:
            services.meeting_cancel(meeting=meeting, by=request.user, reason=request.POST.get("reason", ""))
        except MeetingError as error:
            form.add_error("reason", str(error)) if error.field else messages.error(request, str(error))
            view = MeetingUpdateView(request=request, kwargs=self.kwargs)
            view.meeting = meeting
            return TemplateResponse(request, view.template_name, view.get_context_data(cancel_form=form))
        messages.success(request, "Заседание отменено; оно осталось в графике с причиной отмены.")
        return redirect(meeting.get_absolute_url())


class MeetingDetailView(MeetingObjectMixin, PublicPermissionMixin, TemplateView):
    """A meeting: when and where, the agenda with materials and decisions, attendance, the protocol."""

    template_name = "meetings/meeting_detail.html"
    permission_required = "meetings.view_meeting"

    def get_context_data(self, **kwargs):
        meeting = self.get_meeting()
        user = self.request.user
        insider = allowed(user, "meetings.edit_agenda", meeting) or allowed(
            user, "associations.view_people", meeting.association
        )
        items = list(
            meeting.items.select_related("speaker").prefetch_related(
                Prefetch("materials", queryset=AgendaMaterial.objects.select_related("file")),
                Prefetch("decisions", queryset=Decision.objects.select_related("responsible", "binding_order")),
            )
        )
        if not insider:  # the public reads speakers' names only where they agreed to publication
            allowed_ids = services.publishable_ids({i.speaker_id for i in items if i.speaker_id})
            for item in items:
                if item.speaker_id and item.speaker_id not in allowed_ids:
                    item.public_speaker = "член объединения"
                elif not item.speaker_id and item.speaker_name:
                    item.public_speaker = "приглашённый докладчик"
                else:
                    item.public_speaker = item.speaker_label
        marks = list(Attendance.objects.filter(meeting=meeting).select_related("user")) if insider else []
        guests = list(Guest.objects.filter(meeting=meeting)) if insider else []
        protocol = Protocol.objects.filter(meeting=meeting).first()
        may_agenda = allowed(user, "meetings.edit_agenda", meeting) and meeting.status != Meeting.Status.CANCELLED
        members = services.meeting_members(meeting) if may_agenda else []
        today = calendar.today()
        due = None
        if protocol is None and meeting.status == Meeting.Status.HELD:
            rule = services.protocol_rule(meeting.association)
            if rule and rule.days_after_meeting:
                due = calendar.days_after(meeting.day, rule.days_after_meeting)
        elif protocol and protocol.status in Protocol.EDITABLE | {Protocol.Status.SIGNING}:
            due = protocol.due_on
        return super().get_context_data(
            meeting=meeting,
            association=meeting.association,
            items=items,
            marks=marks,
            guests=guests,
            summary=services.attendance_summary(meeting, marks=marks, guests=guests) if marks else None,
            protocol=protocol,
            insider=insider,
            may_agenda=may_agenda,
            may_edit=allowed(user, "meetings.edit_meeting", meeting),
            may_attendance=allowed(user, "meetings.mark_attendance", meeting)
            and meeting.day <= today
            and meeting.status != Meeting.Status.CANCELLED,
            may_decide=allowed(user, "meetings.manage_decisions", meeting),
            may_bind=allowed(user, "meetings.propose_binding", meeting),
            may_invite=allowed(user, "meetings.invite", meeting),
            may_protocol=allowed(user, "meetings.start_protocol", meeting) and meeting.status == Meeting.Status.HELD,
            item_form=AgendaItemForm(members=members),
            material_form=MaterialForm(),
            decision_form=DecisionForm(members=members),
            due=due,
            due_left=self._left(due, today),
            **kwargs,
        )

    @staticmethod
    def _left(due, today) -> str:
        if due is None:
            return ""
        days = (due - today).days
        if days > 0:
            return f"осталось {days} {plural_ru(days, ('день', 'дня', 'дней'))} (до {date_ru(due)})"
        if days == 0:
            return f"срок — сегодня, {date_ru(due)}"
        return f"срок прошёл {date_ru(due)}: просрочено на {-days} {plural_ru(-days, ('день', 'дня', 'дней'))}"


class MeetingActionView(MeetingObjectMixin, PermissionMixin, View):
    """POST on a meeting: do one thing through the services, show its message, go back to the meeting."""

    def post(self, request, *args, **kwargs):
        meeting = self.get_meeting()
        try:
            message = self.act(request, meeting)
        except MeetingError as error:
            messages.error(request, str(error))
        else:
            if message:
                messages.success(request, message)
        return redirect(self.success_url(meeting))

    def success_url(self, meeting):
        return meeting.get_absolute_url()

    def act(self, request, meeting) -> str:
        raise NotImplementedError


class MeetingInviteView(MeetingActionView):
    permission_required = "meetings.invite"

    def act(self, request, meeting):
        sent = services.meeting_invite(meeting=meeting, by=request.user)
        return f"Приглашения отправлены: {sent} {plural_ru(sent, ('участнику', 'участникам', 'участникам'))}."


class AgendaItemAddView(MeetingActionView):
    permission_required = "meetings.edit_agenda"

    def act(self, request, meeting):
        form = AgendaItemForm(request.POST, members=services.meeting_members(meeting))
        if not form.is_valid():
            raise MeetingError(" ".join(e for errors in form.errors.values() for e in errors))
        services.agenda_item_save(meeting=meeting, by=request.user, **form.cleaned_data)
        return "Вопрос добавлен в повестку."


class AgendaItemObjectMixin(MeetingObjectMixin):
    def get_item(self) -> AgendaItem:
        return get_object_or_404(AgendaItem, pk=self.kwargs["item"], meeting=self.get_meeting())


class AgendaItemDeleteView(AgendaItemObjectMixin, MeetingActionView):
    permission_required = "meetings.edit_agenda"

    def act(self, request, meeting):
        services.agenda_item_delete(item=self.get_item(), by=request.user)
        return "Вопрос удалён из повестки."


class AgendaItemMoveView(AgendaItemObjectMixin, MeetingActionView):
    permission_required = "meetings.edit_agenda"

    def act(self, request, meeting):
        services.agenda_item_move(item=self.get_item(), by=request.user, up=request.POST.get("direction") == "up")
        return ""


class AgendaMaterialAddView(AgendaItemObjectMixin, MeetingActionView):
    permission_required = "meetings.edit_agenda"

    def act(self, request, meeting):
        form = MaterialForm(request.POST, request.FILES)
        if not form.is_valid():
            raise MeetingError(" ".join(e for errors in form.errors.values() for e in errors))
        services.agenda_material_add(
            item=self.get_item(), upload=form.cleaned_data["file"], title=form.cleaned_data["title"], by=request.user
        )
        return "Материал приложен."


class AgendaMaterialView(MeetingObjectMixin, PublicPermissionMixin, View):
    permission_required = "meetings.view_meeting"

    def get(self, request, pk, material):
        found = get_object_or_404(
            AgendaMaterial.objects.select_related("file"), pk=material, item__meeting=self.get_meeting()
        )
        return file_response(found.file)


class AttendanceView(MeetingObjectMixin, PermissionMixin, TemplateView):
    """Attendance on one screen: everyone present with one click, then the exceptions; guests by name."""

    template_name = "meetings/attendance.html"
    permission_required = "meetings.mark_attendance"

    def get_context_data(self, sent=None, **kwargs):
        meeting = self.get_meeting()
        members = services.meeting_members(meeting)
        existing = {a.user_id: a for a in Attendance.objects.filter(meeting=meeting)}
        rows = []
        for user in members:
            mark = existing.get(user.pk)
            status, reason = (sent or {}).get(user.pk, (mark.status, mark.reason) if mark else ("present", ""))
            rows.append({"user": user, "status": status, "reason": reason})
        return super().get_context_data(
            meeting=meeting, association=meeting.association, rows=rows, statuses=Attendance.Status.choices,
            guests=list(Guest.objects.filter(meeting=meeting)), guest_form=kwargs.pop("guest_form", GuestForm()),
            marked=bool(existing), **kwargs,
        )  # fmt: skip

    def post(self, request, *args, **kwargs):
        meeting = self.get_meeting()
        members = services.meeting_members(meeting)
        if "all_present" in request.POST:
            marks = {}
        else:
            marks = {
                u.pk: (request.POST.get(f"status_{u.pk}", "present"), request.POST.get(f"reason_{u.pk}", ""))
                for u in members
            }
        try:
            services.attendance_save(meeting=meeting, by=request.user, marks=marks)
        except MeetingError as error:
            return self.render_to_response(self.get_context_data(sent=marks, error=str(error), error_field=error.field))
        messages.success(request, "Присутствие отмечено; заседание считается проведённым.")
        return redirect(meeting.get_absolute_url())


class GuestAddView(MeetingActionView):
    permission_required = "meetings.mark_attendance"

    def success_url(self, meeting):
        from django.urls import reverse

        return reverse("meetings:attendance", args=[meeting.pk])

    def act(self, request, meeting):
        services.guest_add(
            meeting=meeting, by=request.user, name=request.POST.get("name", ""),
            organisation=request.POST.get("organisation", ""),
        )  # fmt: skip
        return "Гость добавлен."


class GuestRemoveView(GuestAddView):
    def act(self, request, meeting):
        services.guest_remove(guest=get_object_or_404(Guest, pk=self.kwargs["guest"], meeting=meeting), by=request.user)
        return "Гость удалён из списка."


class DecisionAddView(AgendaItemObjectMixin, MeetingActionView):
    permission_required = "meetings.manage_decisions"

    def act(self, request, meeting):
        form = DecisionForm(request.POST, members=services.meeting_members(meeting))
        if not form.is_valid():
            raise MeetingError(" ".join(e for errors in form.errors.values() for e in errors))
        services.decision_add(item=self.get_item(), by=request.user, **form.cleaned_data)
        return "Решение записано."


class DecisionObjectMixin(MeetingObjectMixin):
    def get_decision(self) -> Decision:
        return get_object_or_404(Decision, pk=self.kwargs["decision"], item__meeting=self.get_meeting())


class DecisionDoneView(DecisionObjectMixin, MeetingActionView):
    """The responsible person, the leader or the secretary marks a decision done."""

    permission_required = None

    def has_permission(self):
        decision = self.get_decision()
        user = self.request.user
        return decision.responsible_id == user.pk or allowed(user, "meetings.manage_decisions", self.get_meeting())

    def success_url(self, meeting):
        return (
            self.request.POST.get("next")
            if self.request.POST.get("next", "").startswith("/start/")
            else (meeting.get_absolute_url())
        )

    def act(self, request, meeting):
        services.decision_done(decision=self.get_decision(), by=request.user)
        return "Решение отмечено выполненным."


class DecisionBindingView(DecisionObjectMixin, MeetingActionView):
    permission_required = "meetings.propose_binding"

    def act(self, request, meeting):
        order = services.decision_propose_binding(decision=self.get_decision(), by=request.user)
        curator = order.drafted_by.get_full_name()
        return f"Куратору ({curator}) подготовлен проект приказа о придании решению обязательной силы."


class ProtocolStartView(MeetingActionView):
    permission_required = "meetings.start_protocol"

    def post(self, request, *args, **kwargs):
        meeting = self.get_meeting()
        try:
            protocol = services.protocol_start(meeting=meeting, by=request.user)
        except MeetingError as error:
            messages.error(request, str(error))
            return redirect(meeting.get_absolute_url())
        from django.urls import reverse

        return redirect(reverse("meetings:protocol_edit", args=[protocol.pk]))


# --- protocols -----------------------------------------------------------------------------------------------


class ProtocolObjectMixin:
    def get_protocol(self) -> Protocol:
        if not hasattr(self, "protocol"):
            self.protocol = get_object_or_404(
                Protocol.objects.visible_to(self.request.user).select_related(
                    "meeting", "association__regulation", "scan"
                ),
                pk=self.kwargs["pk"],
            )
        return self.protocol

    def get_permission_object(self):
        return self.get_protocol()


class ProtocolDetailView(ProtocolObjectMixin, PublicPermissionMixin, TemplateView):
    """The protocol as it reads now (the draft) or as it was signed (the current version), with its stamps."""

    template_name = "meetings/protocol_detail.html"
    permission_required = "meetings.view_protocol"

    def get_context_data(self, **kwargs):
        protocol = self.get_protocol()
        user = self.request.user
        versions = list(protocol.versions.order_by("number"))
        frozen = protocol.status not in Protocol.EDITABLE and versions
        content = versions[-1].data if frozen else services.protocol_content(protocol)
        insider = allowed(user, "associations.view_people", protocol.association)
        if not insider:
            content = services.public_content(protocol, content)
        return super().get_context_data(
            protocol=protocol,
            meeting=protocol.meeting,
            content=content,
            versions=versions,
            signatures=protocol_signatures_all(protocol),
            missing=[services.ROLE_LABELS[r] for r in services.protocol_missing_roles(protocol)]
            if protocol.status == Protocol.Status.SIGNING
            else [],
            insider=insider,
            events=workflow.history_of(protocol) if insider else [],
            may_edit=allowed(user, "meetings.draft_protocol", protocol),
            may_sign=allowed(user, "meetings.sign_protocol", protocol),
            may_review=allowed(user, "meetings.review_protocol", protocol),
            may_correct=allowed(user, "meetings.correct_protocol", protocol) and protocol.is_final,
            may_withdraw=allowed(user, "meetings.correct_protocol", protocol)
            and protocol.status == Protocol.Status.SIGNING,
            may_scan=allowed(user, "meetings.attach_scan", protocol) and protocol.is_final,
            sign_form=kwargs.pop("sign_form", SignForm()),
            comment_form=kwargs.pop("comment_form", CommentForm()),
            reason_form=kwargs.pop("reason_form", ReasonForm()),
            scan_form=kwargs.pop("scan_form", ScanForm()),
            **kwargs,
        )


def protocol_signatures_all(protocol: Protocol) -> list:
    """The signatures under the current version (earlier versions' signatures show on their own pages)."""
    return signatures_of(protocol.document_key, protocol.version)


class ProtocolEditView(ProtocolObjectMixin, PermissionMixin, TemplateView):
    """The protocol in one form: header, and per agenda item СЛУШАЛИ / ВЫСТУПИЛИ / РЕШИЛИ and the vote."""

    template_name = "meetings/protocol_form.html"
    permission_required = "meetings.draft_protocol"

    def get_context_data(self, sent=None, **kwargs):
        protocol = self.get_protocol()
        items = list(protocol.meeting.items.select_related("speaker"))
        rows = []
        for item in items:
            values = (sent or {}).get("items", {}).get(item.pk) or {
                "heard": item.heard, "spoke": item.spoke, "decided": item.decided, "votes_for": item.votes_for,
                "votes_against": item.votes_against, "votes_abstained": item.votes_abstained,
            }  # fmt: skip
            rows.append({"item": item, "values": values})
        header = (sent or {}).get("header") or {
            "place": protocol.place, "chair_name": protocol.chair_name, "secretary_name": protocol.secretary_name,
        }  # fmt: skip
        present = Attendance.objects.filter(meeting_id=protocol.meeting_id, status=Attendance.Status.PRESENT).count()
        return super().get_context_data(
            protocol=protocol, meeting=protocol.meeting, rows=rows, header=header, present=present,
            revision=(sent or {}).get("revision", protocol.revision), **kwargs,
        )  # fmt: skip

    def post(self, request, *args, **kwargs):
        protocol = self.get_protocol()
        items, errors = {}, []
        for item in protocol.meeting.items.all():
            values = {key: request.POST.get(f"item_{item.pk}_{key}", "") for key in ("heard", "spoke", "decided")}
            for key in ("votes_for", "votes_against", "votes_abstained"):
                raw = request.POST.get(f"item_{item.pk}_{key}", "").strip()
                if raw and not raw.isdigit():
                    errors.append(f"Вопрос {item.position}: число голосов — целое число не меньше нуля.")
                    values[key] = raw
                else:
                    values[key] = int(raw) if raw else None
            items[item.pk] = values
        header = {k: request.POST.get(k, "") for k in ("place", "chair_name", "secretary_name")}
        try:
            revision = int(request.POST.get("revision", "0"))
        except ValueError:
            revision = 0
        sent = {"items": items, "header": header, "revision": revision}
        if errors:
            return self.render_to_response(self.get_context_data(sent=sent, errors=errors))
        try:
            services.protocol_save(protocol=protocol, by=request.user, revision=revision, items=items, **header)
        except MeetingError as error:
            return self.render_to_response(self.get_context_data(sent=sent, errors=[str(error)]))
        messages.success(request, "Протокол сохранён.")
        if "submit" in request.POST:
            try:
                services.protocol_submit(protocol=protocol, by=request.user)
            except MeetingError as error:
                messages.error(request, str(error))
                return redirect("meetings:protocol_edit", pk=protocol.pk)
            messages.success(request, "Протокол отправлен на подпись.")
        return redirect(protocol.get_absolute_url())


class ProtocolActionView(ProtocolObjectMixin, PermissionMixin, View):
    """POST on a protocol: one service call; a refusal with a field re-renders the page with the form's error."""

    form_class = None
    form_name = ""

    def post(self, request, *args, **kwargs):
        protocol = self.get_protocol()
        form = self.form_class(request.POST, request.FILES) if self.form_class else None
        try:
            if form is not None and not form.is_valid():
                raise MeetingError("Проверьте поле формы.", field=next(iter(form.errors)))
            message = self.act(request, protocol, form)
        except MeetingError as error:
            if error.field and form is not None:
                if error.field in form.fields and not form.has_error(error.field):
                    form.add_error(error.field, str(error))
                view = ProtocolDetailView(request=request, kwargs=self.kwargs)
                view.protocol = Protocol.objects.select_related("meeting", "association", "scan").get(pk=protocol.pk)
                return TemplateResponse(
                    request, view.template_name, view.get_context_data(**{self.form_name: form}), status=200
                )
            messages.error(request, str(error))
        else:
            messages.success(request, message)
        return redirect(protocol.get_absolute_url())

    def act(self, request, protocol, form) -> str:
        raise NotImplementedError


class ProtocolSubmitView(ProtocolActionView):
    permission_required = "meetings.draft_protocol"

    def act(self, request, protocol, form):
        services.protocol_submit(protocol=protocol, by=request.user)
        return "Протокол отправлен на подпись."


class ProtocolWithdrawView(ProtocolActionView):
    permission_required = "meetings.correct_protocol"

    def act(self, request, protocol, form):
        services.protocol_withdraw(protocol=protocol, by=request.user)
        return "Протокол снят с подписи и снова доступен для правки."


class ProtocolSignView(ProtocolActionView):
    """Any protocol, not only one awaiting the user's signature: a second «Подписать» hears why not."""

    permission_required = "meetings.view_protocol"
    form_class = SignForm
    form_name = "sign_form"

    def act(self, request, protocol, form):
        protocol = services.protocol_sign(
            protocol=protocol, by=request.user, password=form.cleaned_data["password"], request=request
        )
        if protocol.status == Protocol.Status.SIGNED:
            late = f" ({protocol.late_label()})" if protocol.days_late() else ""
            return f"Подпись поставлена. Протокол подписан всеми{late}."
        return "Подпись поставлена. Протокол ждёт остальных подписей."


class ProtocolReturnView(ProtocolActionView):
    permission_required = "meetings.review_protocol"
    form_class = CommentForm
    form_name = "comment_form"

    def act(self, request, protocol, form):
        services.protocol_return(protocol=protocol, by=request.user, comment=form.cleaned_data["comment"])
        return "Протокол возвращён на доработку с комментарием."


class ProtocolAcceptView(ProtocolActionView):
    permission_required = "meetings.review_protocol"

    def act(self, request, protocol, form):
        services.protocol_accept(protocol=protocol, by=request.user)
        return "Протокол принят."


class ProtocolCorrectView(ProtocolActionView):
    permission_required = "meetings.correct_protocol"
    form_class = ReasonForm
    form_name = "reason_form"

    def act(self, request, protocol, form):
        services.protocol_correct(protocol=protocol, by=request.user, reason=form.cleaned_data["reason"])
        return "Открыто исправление: подписанная версия сохранена, новую версию подпишут заново."


class ProtocolScanView(ProtocolActionView):
    permission_required = "meetings.attach_scan"
    form_class = ScanForm
    form_name = "scan_form"

    def act(self, request, protocol, form):
        services.protocol_attach_scan(protocol=protocol, by=request.user, upload=form.cleaned_data["scan"])
        return "Скан приложен."


class ProtocolScanDownloadView(ProtocolObjectMixin, PublicPermissionMixin, View):
    permission_required = "meetings.view_protocol"

    def get(self, request, pk):
        protocol = self.get_protocol()
        if protocol.scan is None:
            raise Http404
        return file_response(protocol.scan)


class ProtocolPdfView(ProtocolObjectMixin, PublicPermissionMixin, View):
    """The protocol in the usual layout, with a stamp per signature.

    Once its text is frozen (on signature, signed, accepted) a version's PDF is the same bytes until a signature,
    a status or the reader's view (public or a member's) changes: it is rendered once and kept in the cache.
    """

    permission_required = "meetings.view_protocol"
    CACHE_SECONDS = 24 * 3600

    def get(self, request, pk):
        protocol = self.get_protocol()
        view = ProtocolDetailView(request=request, kwargs=self.kwargs)
        view.protocol = protocol
        context = view.get_context_data()
        context["verify_url"] = request.build_absolute_uri("/verify/")
        filename = f"Протокол № {protocol.number}.pdf"
        if protocol.status in Protocol.EDITABLE:
            return pdf_response("pdf/protocol.html", context, request=request, filename=filename)
        key = ":".join(
            str(part)
            for part in ("protocol-pdf", protocol.pk, protocol.version, protocol.status, len(context["signatures"]),
                         int(context["insider"]), protocol.updated_at.timestamp(), request.get_host(),
                         "" if context["insider"] else services.consent_stamp(protocol))
        )  # fmt: skip
        content = cache.get(key)
        if content is None:
            content = render_pdf("pdf/protocol.html", context, request=request)
            cache.set(key, content, self.CACHE_SECONDS)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(as_attachment=False, filename=filename)
        return response


class ProtocolVersionView(ProtocolObjectMixin, PermissionMixin, TemplateView):
    """An earlier (or the current) signed version with its signatures, and what changed from the one before."""

    template_name = "meetings/protocol_version.html"
    permission_required = "meetings.view_protocol"

    def get_context_data(self, **kwargs):
        protocol = self.get_protocol()
        if not allowed(self.request.user, "associations.view_people", protocol.association):
            raise Http404
        version = get_object_or_404(protocol.versions, number=self.kwargs["number"])
        previous = protocol.versions.filter(number__lt=version.number).order_by("-number").first()
        return super().get_context_data(
            protocol=protocol,
            version=version,
            previous=previous,
            diff=services.version_diff(previous, version) if previous else [],
            signatures=signatures_of(protocol.document_key, version.number),
            **kwargs,
        )
