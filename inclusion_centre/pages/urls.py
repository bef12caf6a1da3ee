"""The addresses of the pages that combine several apps. Each keeps the name and path it had in the namespace of the
app whose page it was: inclusion_centre/urls.py adds these patterns to that app's namespace."""

from django.urls import path

from . import case, case_archive, personal_file

students = [
    path("applications/<uuid:public_id>/", case.application_detail, name="application_detail"),
    path("applications/<uuid:public_id>/archive.zip", case_archive.case_archive, name="case_archive"),
]

documents = [
    path("students/<int:student_id>/personal-file.zip", personal_file.personal_file, name="personal_file"),
    path("students/<int:student_id>/my-data.zip", personal_file.my_data, name="my_data"),
]
