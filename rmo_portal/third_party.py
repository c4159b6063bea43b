"""Third-party apps under Russian headings in the admin: an app without a verbose name shows its label («AXES»)."""

from axes.apps import AppConfig as BaseAxesConfig


class AxesConfig(BaseAxesConfig):
    """django-axes: failed log-ins and locks."""

    verbose_name = "Журнал входов"
