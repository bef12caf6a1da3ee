from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    # The printed short link: SITE_URL + /v/<token>. Public, no sign-in.
    path("v/<str:token>", views.verify, name="verify"),
    path("documents/<uuid:public_id>/<slug:language>.pdf", views.download, name="download"),
    path("documents/<uuid:public_id>/signatures/", views.signatures, name="signatures"),
    path(
        "documents/<uuid:public_id>/signatures/<slug:language>.pdf", views.signature_content, name="signature_content"
    ),
    path("documents/<uuid:public_id>/signature-sheet/", views.signature_sheet, name="signature_sheet"),
    path("documents/register/", views.register, name="register"),
    path("documents/register/export.xlsx", views.register_export, name="register_export"),
    path("documents/register/export.csv", views.register_export, {"file_format": "csv"}, name="register_export_csv"),
    path("documents/register/export.xml", views.register_export, {"file_format": "xml"}, name="register_export_xml"),
    # personal_file and my_data, which combine students and routes, are composed at the top: inclusion_centre/pages/
    # urls.py adds them to this namespace.
]
