from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Планы и отчёты"

    def ready(self):
        from associations.demo import register_demo
        from meetings.feeds import register_feed_source
        from members.extensions import register_confirmation_due, register_profile_section
        from rmo_portal import changes, workflow

        from .deadlines import confirmation_due, deadline_feed_items, obligations_recompute
        from .demo import demo_seed_documents
        from .exports import register_exports
        from .models import Filing
        from .panels import register_panels
        from .profile import mentorship
        from .services import filing_notify

        workflow.register_notifier(Filing, filing_notify)  # letters on submission, return, acceptance, publication
        register_panels()  # the documents' panels on the start pages (rmo_portal.panels)
        register_exports()  # the district's summary (Excel) and long documents' PDFs, made in the background
        register_demo(demo_seed_documents)  # the demo district's plans and reports (manage.py seed_demo)
        changes.listen("associations", obligations_recompute)  # a regulation or association changed: recompute
        register_feed_source(deadline_feed_items)  # the person's deadlines in her calendar feed
        register_confirmation_due(confirmation_due)  # the teacher's own «Сведения актуальны» shows its date
        register_profile_section(key="mentorship", template="reports/profile_mentorship.html", context=mentorship)
