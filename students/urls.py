from django.urls import path

from . import views
from .views_import import (
    reference_import,
    reference_import_confirm,
    reference_import_preview,
    reference_import_report,
    reference_import_sample,
)

app_name = "students"

urlpatterns = [
    path("applications/", views.my_applications, name="my_applications"),
    path("applications/new/", views.application_start, name="application_start"),
    path("applications/paper/", views.paper_application, name="paper_application"),
    # "applications/<uuid:public_id>/" (application_detail), the case page, is composed at the top from students
    # and routes: inclusion_centre/pages/urls.py adds it to this namespace.
    path("applications/<uuid:public_id>/edit/", views.application_edit, name="application_edit"),
    path("applications/<uuid:public_id>/consent/", views.application_consent, name="application_consent"),
    path("applications/<uuid:public_id>/consent/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("applications/<uuid:public_id>/submit/", views.application_submit, name="application_submit"),
    path("applications/<uuid:public_id>/withdraw/", views.application_withdraw, name="application_withdraw"),
    path("applications/<uuid:public_id>/register/", views.application_register, name="application_register"),
    path("applications/<uuid:public_id>/reject/", views.application_reject, name="application_reject"),
    path("applications/<uuid:public_id>/chancellery/", views.application_incoming, name="application_incoming"),
    path("applications/<uuid:public_id>/duplicate/", views.application_duplicate, name="application_duplicate"),
    path("applications/<uuid:public_id>/documents/new/", views.document_upload, name="document_upload"),
    path(
        "applications/<uuid:public_id>/documents/<uuid:document_id>/",
        views.document_download,
        name="document_download",
    ),
    path("centre/inbox/", views.inbox, name="inbox"),
    path("reference/import/", reference_import, name="reference_import"),
    path("reference/import/preview/", reference_import_preview, name="reference_import_preview"),
    path("reference/import/confirm/", reference_import_confirm, name="reference_import_confirm"),
    path("reference/import/report/", reference_import_report, name="reference_import_report"),
    path("reference/import/samples/<slug:kind>.csv", reference_import_sample, name="reference_import_sample"),
]
