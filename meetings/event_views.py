"""Pages of the district's events: the calendar (list and month), an event, its management (thin views over
meetings.event_services)."""

import calendar as stdlib_calendar
import datetime

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.dates import MONTHS
from django.views import View
from django.views.generic import CreateView, DetailView, UpdateView
from django.views.generic.detail import SingleObjectMixin
from django_filters.views import FilterView

from rmo_portal import calendar
from rmo_portal.files import file_response
from rmo_portal.mixins import PermissionMixin
from rmo_portal.permissions import allowed
from rmo_portal.text import count_ru

from .event_filters import EventFilter, MonthFilter
from .event_forms import EventForm, MaterialForm, ParticipantFormSet, ParticipantsImportForm, teacher_suggestions
from .event_services import (
    EVENT_FIELDS,
    EventError,
    ParticipantInput,
    event_create,
    event_material_add,
    event_material_remove,
    event_participants_import,
    event_participants_save,
    event_publish,
    event_unpublish,
    event_update,
    overlapping,
    publishable_user_ids,
)
from .models import Event, EventMaterial

HIDDEN_NAME = "участник (ФИО не публикуется)"
WEEKDAYS = ("Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс")


def _events(user):
    """The events `user` may see, with what the lists print."""
    return Event.objects.visible_to(user).select_related("subject").prefetch_related("organisers")


class EventListView(FilterView):
    """The district's calendar as a list: published events for everyone, drafts for their organisers."""

    filterset_class = EventFilter
    paginate_by = 30
    template_name = "meetings/event_list.html"

    def get_queryset(self):
        return _events(self.request.user).order_by("starts_on", "pk")


def _month_of(value: str | None) -> datetime.date:
    """The first day of the month asked as «2026-12»; this month otherwise."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return datetime.date(year, month, 1)
    except ValueError:
        return calendar.today().replace(day=1)


class EventMonthView(View):
    """A month of the calendar: a grid of weeks on a wide screen, a list of the days with events on a phone."""

    template_name = "meetings/event_month.html"

    def get(self, request):
        first = _month_of(request.GET.get("month"))
        weeks = stdlib_calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
        start, end = weeks[0][0], weeks[-1][-1]
        filterset = MonthFilter(request.GET, queryset=_events(request.user), request=request)
        events = list(overlapping(filterset.qs, start=start, end=end).order_by("starts_on", "pk"))
        by_day: dict[datetime.date, list[Event]] = {}
        for event in events:
            day = max(event.starts_on, start)
            while day <= min(event.last_day, end):
                by_day.setdefault(day, []).append(event)
                day += datetime.timedelta(days=1)
        today = calendar.today()
        grid = [
            [{"day": d, "events": by_day.get(d, []), "outside": d.month != first.month, "today": d == today} for d in w]
            for w in weeks
        ]
        days_with_events = [cell for week in grid for cell in week if cell["events"] and not cell["outside"]]
        previous = (first - datetime.timedelta(days=1)).replace(day=1)
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        context = {
            "filter": filterset,
            "month_label": f"{MONTHS[first.month]} {first.year}",
            "grid": grid,
            "weekdays": WEEKDAYS,
            "days_with_events": days_with_events,
            "previous": f"{previous:%Y-%m}",
            "following": f"{following:%Y-%m}",
            "this_month": f"{today:%Y-%m}",
            "count_label": count_ru(len({e.pk for cell in days_with_events for e in cell["events"]}),
                                    "мероприятие,мероприятия,мероприятий"),
        }  # fmt: skip
        return TemplateResponse(request, self.template_name, context)


class PublicEventMixin(SingleObjectMixin):
    """An event found among those the user may see; an anonymous visitor who does not find it is asked to log in
    (the same for an unpublished event and for none at all, so nothing is told)."""

    pk_url_kwarg = "pk"

    def get_queryset(self):
        return _events(self.request.user)

    def get_object(self, queryset=None):
        try:
            event = super().get_object(queryset)
        except Http404:
            if not self.request.user.is_authenticated:
                raise AnonymousNotFound from None
            raise
        if not allowed(self.request.user, "meetings.view_event", event):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        return event

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except AnonymousNotFound:
            return redirect_to_login(request.get_full_path())


class AnonymousNotFound(Exception):
    """Not among the published events, asked by someone not logged in."""


def participant_rows(event: Event, user) -> list[dict]:
    """The results table: names as the viewer may read them (open pages show only those who consented)."""
    participants = list(event.participants.select_related("teacher"))
    all_names = allowed(user, "meetings.manage_event", event) or allowed(user, "members.view_district")
    shown = None if all_names else publishable_user_ids(p.teacher.user_id for p in participants if p.teacher_id)
    order = {"winner": 0, "prize": 1, "participant": 2}
    participants.sort(key=lambda p: (order[p.result], p.name))
    return [
        {
            "name": p.name if shown is None or (p.teacher_id and p.teacher.user_id in shown) else HIDDEN_NAME,
            "organisation": p.organisation,
            "result": p.get_result_display(),
            "winner": p.result != "participant",
            "teacher_url": p.teacher.get_absolute_url() if p.teacher_id and shown is None else "",
        }
        for p in participants
    ]


class EventDetailView(PublicEventMixin, DetailView):
    template_name = "meetings/event_detail.html"
    context_object_name = "event"

    def get_context_data(self, **kwargs):
        event = self.object
        return super().get_context_data(
            materials=list(event.materials.select_related("file")),
            participants=participant_rows(event, self.request.user),
            material_form=kwargs.pop("material_form", MaterialForm()),
            **kwargs,
        )


class EventMaterialView(PublicEventMixin, View):
    """A material, for whoever may see the event (through the files module)."""

    def get(self, request, pk, item):
        event = self.get_object()
        material = get_object_or_404(EventMaterial.objects.select_related("file"), pk=item, event=event)
        return file_response(material.file)


class EventFormMixin:
    form_class = EventForm
    template_name = "meetings/event_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        fields = {name: form.cleaned_data[name] for name in EVENT_FIELDS if name in form.cleaned_data}
        try:
            self.object = self.save(organisers=form.cleaned_data["organisers"], **fields)
        except EventError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, self.done)
        return redirect(self.object.get_absolute_url())


class EventCreateView(PermissionMixin, EventFormMixin, CreateView):
    permission_required = "meetings.create_event"
    done = "Мероприятие сохранено. Оно видно только организаторам, пока вы его не опубликуете."

    def get_initial(self):
        return {"starts_on": calendar.today()}

    def save(self, **fields):
        return event_create(by=self.request.user, **fields)


class ManageEventMixin(PermissionMixin):
    """Management of one event: out of the user's sight → 404, in sight without the right → 403."""

    permission_required = "meetings.manage_event"

    def get_queryset(self):
        return Event.objects.visible_to(self.request.user)


class EventUpdateView(ManageEventMixin, EventFormMixin, UpdateView):
    done = "Мероприятие сохранено."

    def save(self, **fields):
        return event_update(event=self.object, by=self.request.user, **fields)


class EventActionView(ManageEventMixin, SingleObjectMixin, View):
    """POST-only changes of an event; a refusal is shown as a message on the event's page."""

    def post(self, request, *args, **kwargs):
        self.object = event = self.get_object()
        try:
            message = self.act(event)
        except EventError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, message)
        return redirect(event.get_absolute_url())


class EventPublishView(EventActionView):
    def act(self, event):
        event_publish(event=event, by=self.request.user)
        return "Мероприятие опубликовано: оно в календаре района."


class EventUnpublishView(EventActionView):
    def act(self, event):
        event_unpublish(event=event, by=self.request.user)
        return "Мероприятие снято с публикации."


class EventMaterialAddView(ManageEventMixin, SingleObjectMixin, View):
    def post(self, request, *args, **kwargs):
        event = self.object = self.get_object()
        form = MaterialForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                event_material_add(
                    event=event, upload=form.cleaned_data["file"], title=form.cleaned_data["title"], by=request.user
                )
            except EventError as error:
                form.add_error("file", str(error))
            else:
                messages.success(request, "Материал добавлен.")
                return redirect(event.get_absolute_url())
        view = EventDetailView(request=request, kwargs=self.kwargs, object=event)
        return TemplateResponse(
            request, view.template_name, view.get_context_data(object=event, material_form=form), status=400
        )


class EventMaterialRemoveView(EventActionView):
    def act(self, event):
        material = get_object_or_404(EventMaterial.objects.select_related("file", "event"), pk=self.kwargs["item"],
                                     event=event)  # fmt: skip
        event_material_remove(material=material, by=self.request.user)
        return "Материал удалён."


class EventParticipantsView(ManageEventMixin, SingleObjectMixin, View):
    """The list of participants and results on one page: existing rows, a few empty ones, removal by a tick."""

    template_name = "meetings/event_participants.html"

    def render(self, formset, status=200):
        context = {"event": self.object, "formset": formset, "suggestions": teacher_suggestions()}
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        self.object = event = self.get_object()
        initial = [
            {"id": p.pk, "name": p.name, "organisation": p.organisation, "result": p.result}
            for p in event.participants.all()
        ]
        return self.render(ParticipantFormSet(initial=initial))

    def post(self, request, *args, **kwargs):
        self.object = event = self.get_object()
        formset = ParticipantFormSet(request.POST)
        if not formset.is_valid():
            return self.render(formset, status=400)
        rows = [
            ParticipantInput(name=r["name"], organisation=r["organisation"], result=r["result"], pk=r.get("id"))
            for r in formset.kept_rows()
        ]
        try:
            saved = event_participants_save(event=event, rows=rows, by=request.user)
        except EventError as error:
            messages.error(request, str(error))
            return self.render(formset, status=400)
        messages.success(
            request,
            f"Список сохранён: добавлено {saved.created}, изменено {saved.updated}, удалено {saved.deleted}. "
            "Результаты педагогов из базы внесены в их профили.",
        )
        if saved.unmatched:
            messages.warning(
                request,
                "Не найдены в базе педагогов (сохранены как ФИО, в профили не попали): " + "; ".join(saved.unmatched),
            )
        return redirect(event.get_absolute_url())


class EventParticipantsImportView(ManageEventMixin, SingleObjectMixin, View):
    """Upload a list from Excel: its rows are added at once; the page then lists unmatched names and errors."""

    template_name = "meetings/event_participants_import.html"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return TemplateResponse(request, self.template_name, {"event": self.object, "form": ParticipantsImportForm()})

    def post(self, request, *args, **kwargs):
        event = self.object = self.get_object()
        form = ParticipantsImportForm(request.POST, request.FILES)
        outcome = None
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                outcome = event_participants_import(
                    event=event, name=upload.name, content=upload.read(), by=request.user
                )
            except EventError as error:
                form.add_error("file", str(error))
        context = {"event": event, "form": form if outcome is None else ParticipantsImportForm(), "outcome": outcome}
        return TemplateResponse(request, self.template_name, context, status=200 if outcome else 400)
