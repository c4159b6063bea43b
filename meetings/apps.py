from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Заседания"

    def ready(self):
        from associations.demo import register_demo

        from .demo import demo_seed_meetings

        register_demo(demo_seed_meetings)  # the demo district's year of meetings (manage.py seed_demo)
