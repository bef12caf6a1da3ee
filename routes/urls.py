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
    path("work/", views.work, name="work"),
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
    path("routes/<int:pk>/support/", views.support, name="support"),
    path("routes/<int:pk>/support/<int:session_pk>/", views.support_correct, name="support_correct"),
    path("agreements/<int:pk>/answer/", views.agreement_answer, name="agreement_answer"),
    # Service requests and the equipment the centre lends
    path("requests/", views.my_requests, name="service_requests"),
    path("requests/new/", views.request_new, name="service_request_new"),
    path("requests/queue/", views.request_queue, name="service_request_queue"),
    path("requests/<int:pk>/", views.request_detail, name="service_request"),
    path("equipment/", views.equipment, name="equipment"),
    path("equipment/<int:pk>/lend/", views.equipment_lend, name="equipment_lend"),
    path("equipment/loans/<int:pk>/return/", views.loan_return, name="loan_return"),
    # Exam arrangements: sessions, each student's arrangement, the exam office's day view
    path("exams/", views.exam_sessions, name="exam_sessions"),
    path("exams/import/", views.exam_sessions_import, name="exam_sessions_import"),
    path("exams/<int:pk>/", views.exam_session, name="exam_session"),
    path("exams/<int:pk>/propose/", views.exam_session_propose, name="exam_session_propose"),
    path("exams/arrangements/<int:pk>/", views.exam_arrangement, name="exam_arrangement"),
    path("exams/arrangements/<int:pk>/confirm/", views.exam_arrangement_confirm, name="exam_arrangement_confirm"),
    path("exams/arrangements/<int:pk>/book/", views.exam_arrangement_book, name="exam_arrangement_book"),
    path("exams/arrangements/<int:pk>/held/", views.exam_arrangement_hold, name="exam_arrangement_hold"),
    path("exams/arrangements/<int:pk>/cancel/", views.exam_arrangement_cancel, name="exam_arrangement_cancel"),
    path("exams/day/", views.exam_day, name="exam_day"),
    path("exams/day/export.xlsx", views.exam_day_xlsx, name="exam_day_xlsx"),
    path("exams/day/print.pdf", views.exam_day_pdf, name="exam_day_pdf"),
    # Per-term activation: the letters of accommodations of courses that joined a route in force
    path("routes/letters/", views.letters, name="letters"),
    path("routes/letters/<int:pk>/", views.letter, name="letter"),
    # End-of-term delivery surveys: was the support of the route provided?
    path("routes/surveys/", views.delivery_surveys, name="delivery_surveys"),
    path("routes/surveys/<int:pk>/", views.delivery_survey, name="delivery_survey"),
    # The centre's dashboard and the reports
    path("centre/dashboard/", views.dashboard, name="dashboard"),
    path("reports/", views.report, name="reports"),
    # Interdisciplinary team meetings and their protocols
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/items/add/", views.meeting_item_add, name="meeting_item_add"),
    path("meetings/<int:pk>/items/<int:item_pk>/remove/", views.meeting_item_remove, name="meeting_item_remove"),
    path("meetings/<int:pk>/members/add/", views.meeting_member_add, name="meeting_member_add"),
    path(
        "meetings/<int:pk>/members/<int:member_pk>/remove/", views.meeting_member_remove, name="meeting_member_remove"
    ),
    path("meetings/<int:pk>/answer/", views.meeting_rsvp, name="meeting_rsvp"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/hold/", views.meeting_hold, name="meeting_hold"),
    path("meetings/<int:pk>/protocol/", views.meeting_protocol, name="meeting_protocol"),
    path("meetings/<int:pk>/correct/", views.meeting_correct, name="meeting_correct"),
    path("protocols/<int:pk>/", views.protocol, name="protocol"),
    path("protocols/<int:pk>/sign/", views.protocol_sign, name="protocol_sign"),
]
