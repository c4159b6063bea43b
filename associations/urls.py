from django.urls import path

from . import views

app_name = "associations"

urlpatterns = [
    path("", views.AssociationListView.as_view(), name="list"),
    path("pdf/", views.AssociationListPdfView.as_view(), name="list_pdf"),
    path("<int:pk>/", views.AssociationDetailView.as_view(), name="detail"),
    path("regulations/", views.RegulationListView.as_view(), name="regulation_list"),
    path("regulations/<int:pk>/", views.RegulationDetailView.as_view(), name="regulation_detail"),
]
