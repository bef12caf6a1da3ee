from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    # The printed short link: SITE_URL + /v/<token>. Public, no sign-in.
    path("v/<str:token>", views.verify, name="verify"),
    path("documents/<uuid:public_id>/<slug:language>.pdf", views.download, name="download"),
    path("documents/register/", views.register, name="register"),
    path("documents/register/export.xlsx", views.register_export, name="register_export"),
    path("students/<int:student_id>/personal-file.zip", views.personal_file, name="personal_file"),
    path("students/<int:student_id>/my-data.zip", views.my_data, name="my_data"),
]
