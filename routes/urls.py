from django.urls import path

from . import views

app_name = "routes"

urlpatterns = [
    path("applications/<uuid:public_id>/assign/", views.assign, name="assign"),
    path("assignments/<int:pk>/end/", views.unassign, name="unassign"),
    path("assessments/<int:pk>/", views.assessment, name="assessment"),
    path("applications/<uuid:public_id>/conclusion/", views.conclusion_draft, name="conclusion_draft"),
    path("conclusions/<int:pk>/", views.conclusion, name="conclusion"),
    path("conclusions/<int:pk>/sign/", views.conclusion_sign, name="conclusion_sign"),
]
