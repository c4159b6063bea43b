"""The first-run setup's addresses, at /setup/ (included by rmo_portal/urls.py; no namespace: short names)."""

from django.urls import path

from . import setup_views

urlpatterns = [
    path("", setup_views.SetupView.as_view(), name="setup"),
    path("finish/", setup_views.SetupFinishView.as_view(), name="setup_finish"),
    path("<slug:step>/", setup_views.SetupStepView.as_view(), name="setup_step"),
]
