from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Заседания"

    def ready(self):
        from associations.demo import register_demo

        from .demo import demo_seed_meetings
        from .event_demo import seed_events
        from .panels import register_panels

        register_panels()  # the meetings' panels on the start pages (rmo_portal.panels)

        from rmo_portal import workflow

        from .models import Protocol
        from .services import protocol_notify

        workflow.register_notifier(Protocol, protocol_notify)  # a returned protocol: letters to secretary and leader
        # The demo district's year of meetings and its events (manage.py seed_demo).
        register_demo(demo_seed_meetings)
        register_demo(seed_events)
