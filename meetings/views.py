"""Pages of meetings and protocols (thin views over meetings.services)."""

from django.views.generic import TemplateView


class ScheduleView(TemplateView):
    template_name = "meetings/schedule.html"
