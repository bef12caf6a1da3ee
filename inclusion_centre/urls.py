from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from documents import urls as documents_urls
from students import urls as students_urls

from . import views
from .pages import urls as pages

admin.site.site_header = _("Inclusive Education Support Centre")
admin.site.site_title = _("Inclusive Education Support Centre")
admin.site.index_title = _("System administration")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(".well-known/security.txt", views.security_txt, name="security_txt"),
    path("language/", views.set_language, name="set_language"),
    path("accounts/", include("inclusion_centre.accounts.urls")),
    path("", include((students_urls.urlpatterns + pages.students, students_urls.app_name))),
    path("", include("routes.urls")),
    path("", include((documents_urls.urlpatterns + pages.documents, documents_urls.app_name))),
    path("audit/", include("audit.urls")),
    path("admin/", admin.site.urls),
    path("bench/floor/", views.bench_floor, name="bench_floor"),
]
