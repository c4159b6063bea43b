"""The first-run setup's pages (associations/setup.py): an overview of the steps, a page per step, «Завершить»."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from rmo_portal.mixins import PermissionMixin

from . import setup
from .models import AcademicYear
from .setup_forms import DistrictForm, PeopleForm, RegulationForm, YearForm

STEP_TITLES = dict(setup.STEPS)


class SetupMixin(PermissionMixin):
    permission_required = "associations.setup_district"

    def dispatch(self, request, *args, **kwargs):
        # Once finished, the setup is closed: later changes go through the admin, one thing at a time.
        if request.user.is_authenticated and setup.setup_finished():
            messages.info(request, "Настройка района уже завершена: изменения — в администрировании.")
            return redirect("start_admin")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        row = setup.setup_district()
        steps = [{"key": key, "title": title, "done": key in row.setup_steps} for key, title in setup.STEPS]
        return super().get_context_data(district=row, steps=steps, **kwargs)


class SetupView(SetupMixin, TemplateView):
    template_name = "setup/overview.html"


class SetupStepView(SetupMixin, FormView):
    template_name = "setup/step.html"

    def dispatch(self, request, *args, **kwargs):
        self.step = kwargs["step"]
        if self.step not in STEP_TITLES:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        return {"district": DistrictForm, "year": YearForm, "regulation": RegulationForm, "people": PeopleForm}[
            self.step
        ]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.step == "district":
            kwargs["instance"] = setup.setup_district()
        return kwargs

    def get_initial(self):
        if self.step == "year":
            shape = setup.default_year_shape()
            start_year = shape.starts_on.year
            saved = AcademicYear.objects.filter(start_year=start_year).prefetch_related("terms").first()
            if saved is not None:
                terms = [(t.starts_on, t.ends_on) for t in saved.terms.order_by("number")]
                starts_on, ends_on = saved.starts_on, saved.ends_on
            else:
                terms, starts_on, ends_on = list(shape.terms), shape.starts_on, shape.ends_on
            initial = {"start_year": start_year, "starts_on": starts_on, "ends_on": ends_on}
            for n, (first, last) in enumerate(terms[:4], start=1):
                initial[f"term{n}_starts"], initial[f"term{n}_ends"] = first, last
            return initial
        if self.step == "regulation":
            return {"preset": "pechora-rmo"}
        return {}

    def form_valid(self, form):
        if self.step == "district":
            setup.setup_district_save(fields=form.cleaned_data)
            if form.cleaned_data["time_zone"] != settings.TIME_ZONE:
                # The beat schedule's hours (the sweep, the digest, the night's copy) follow the server's zone.
                zone = form.cleaned_data["time_zone"]
                messages.warning(
                    self.request,
                    f"Фоновые задачи по расписанию (проход по срокам, сводка, ночная копия) идут по часам сервера "
                    f"({settings.TIME_ZONE}): попросите задать на сервере TIME_ZONE={zone}.",
                )
        elif self.step == "year":
            data = form.cleaned_data
            setup.setup_year_save(start_year=data["start_year"], starts_on=data["starts_on"], ends_on=data["ends_on"],
                                  terms=form.terms())  # fmt: skip
        elif self.step == "regulation":
            regulation = setup.setup_regulation_save(preset=form.cleaned_data["preset"])
            messages.info(self.request, f"Положение района: «{regulation.title}». Его правила можно изменить в "
                                        "разделе «Положения» (администрирование).")  # fmt: skip
        else:
            try:
                people = setup.setup_people_save(people=form.people(), site=settings.SITE_URL)
            except setup.SetupError as error:
                field = "head" if error.email == form.cleaned_data["head"]["email"] else "methodists"
                form.add_error(field, str(error))
                return self.form_invalid(form)
            messages.info(self.request, f"Учётные записи готовы, письма со ссылкой для пароля отправлены: "
                                        f"{len(people)}.")  # fmt: skip
        messages.success(self.request, f"Шаг «{STEP_TITLES[self.step]}» сохранён.")
        keys = [key for key, _ in setup.STEPS]
        following = keys[keys.index(self.step) + 1] if self.step != keys[-1] else None
        return redirect(reverse("setup_step", args=[following]) if following else reverse("setup"))

    def get_context_data(self, **kwargs):
        return super().get_context_data(step=self.step, step_title=STEP_TITLES[self.step], **kwargs)


class SetupFinishView(SetupMixin, TemplateView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        setup.setup_finish()
        messages.success(request, "Настройка завершена. Всё, что задано, можно изменить позже в администрировании.")
        return redirect("start_admin")
