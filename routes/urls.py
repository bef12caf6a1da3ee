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
    # The individual educational route
    path("applications/<uuid:public_id>/route/", views.route_draft, name="route_draft"),
    path("applications/<uuid:public_id>/changed-needs/", views.changed_needs, name="changed_needs"),
    path("applications/<uuid:public_id>/close/", views.case_close, name="case_close"),
    path("routes/agreements/", views.agreements, name="agreements"),
    path("routes/approvals/", views.approvals, name="approvals"),
    path("routes/<int:pk>/", views.route, name="route"),
    path("routes/<int:pk>/edit/", views.route_edit, name="route_edit"),
    path("routes/<int:pk>/sections/add/", views.section_add, name="section_add"),
    path("routes/<int:pk>/sections/<int:section_pk>/", views.section_update, name="section_update"),
    path("routes/<int:pk>/sections/<int:section_pk>/remove/", views.section_remove, name="section_remove"),
    path("routes/<int:pk>/measures/add/", views.measure_add, name="measure_add"),
    path("routes/<int:pk>/measures/<int:measure_pk>/remove/", views.measure_remove, name="measure_remove"),
    path("routes/<int:pk>/send/", views.route_send, name="route_send"),
    path("routes/<int:pk>/withdraw/", views.route_withdraw, name="route_withdraw"),
    path("routes/<int:pk>/approve/", views.route_approve, name="route_approve"),
    path("routes/<int:pk>/return/", views.route_return, name="route_return"),
    path("routes/<int:pk>/cancel/", views.route_cancel, name="route_cancel"),
    path("routes/<int:pk>/review/", views.route_review, name="route_review"),
    path("agreements/<int:pk>/answer/", views.agreement_answer, name="agreement_answer"),
    # The centre's dashboard and the reports
    path("centre/dashboard/", views.dashboard, name="dashboard"),
    path("reports/", views.report, name="reports"),
]
