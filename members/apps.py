from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Педагоги и учреждения"

    def ready(self):
        from .panels import register_panels

        register_panels()  # the teacher database's panels on the start pages

        from .exports import register_exports

        register_exports()  # the full export and the schedules, made in the background (rmo_portal.exports)
