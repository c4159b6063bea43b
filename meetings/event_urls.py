"""Routes of the district events (/events/…), included by meetings/urls.py in the «meetings» namespace."""

from django.urls import path

from . import event_views as views

urlpatterns: list = [
    path("events/", views.EventListView.as_view(), name="event_list"),
    path("events/calendar/", views.EventMonthView.as_view(), name="event_month"),
    path("events/new/", views.EventCreateView.as_view(), name="event_create"),
    path("events/<int:pk>/", views.EventDetailView.as_view(), name="event_detail"),
    path("events/<int:pk>/edit/", views.EventUpdateView.as_view(), name="event_update"),
    path("events/<int:pk>/publish/", views.EventPublishView.as_view(), name="event_publish"),
    path("events/<int:pk>/unpublish/", views.EventUnpublishView.as_view(), name="event_unpublish"),
    path("events/<int:pk>/participants/", views.EventParticipantsView.as_view(), name="event_participants"),
    path(
        "events/<int:pk>/participants/import/",
        views.EventParticipantsImportView.as_view(),
        name="event_participants_import",
    ),
    path("events/<int:pk>/materials/", views.EventMaterialAddView.as_view(), name="event_material_add"),
    path("events/<int:pk>/materials/<int:item>/", views.EventMaterialView.as_view(), name="event_material"),
    path(
        "events/<int:pk>/materials/<int:item>/remove/",
        views.EventMaterialRemoveView.as_view(),
        name="event_material_remove",
    ),
]
