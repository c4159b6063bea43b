from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Заседания"

    def ready(self):
        from associations import demo

        from .demo import seed_events

        if seed_events not in demo.DEMO_EXTENSIONS:
            demo.DEMO_EXTENSIONS.append(seed_events)  # the district's events in `manage.py seed_demo`
