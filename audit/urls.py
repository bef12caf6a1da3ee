from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.index, name="index"),
    path("history/<slug:app_label>/<slug:model_name>/<int:pk>/", views.history, name="history"),
    path("access/", views.access_log, name="access_log"),
    path("access/export.csv", views.access_log_export, name="access_log_export"),
    path("my-file/", views.my_file, name="my_file"),
    path("disclosures/", views.disclosures, name="disclosures"),
    path("disclosures/export.xlsx", views.disclosures_export, name="disclosures_export"),
    path("disclosures/new/", views.disclosure_new, name="disclosure_new"),
]
