"""External organisations (issue 25, §5.2 e): the centre keeps a register of organisations and their contact
persons; the staff working on a case write letters to them, each registered with an outgoing number and a printed
PDF when sent, and record the reply. The student reads the sent letters about their own case; lecturers, the
administration and everyone else see nothing (404)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import StatusChange
from documents.models import DocumentType, RegisteredDocument
from documents.selectors import documents_of_student
from documents.services import render_document_files
from routes import services as route_services
from routes.models import ContactPerson, Organisation, PartnerLetter
from routes.services import partners as services

pytestmark = pytest.mark.django_db

PL = PartnerLetter.Status


@pytest.fixture
def organisation(specialist):
    return services.organisation_save(
        actor=specialist, kind="medical_social", name="Алматы қалалық МӘС бөлімі", address="Абай д-лы, 10"
    )


@pytest.fixture
def contact(organisation, specialist):
    return services.contact_save(
        actor=specialist, organisation=organisation, full_name="Серікова Айгүл", position="Бөлім басшысы"
    )


@pytest.fixture
def on_case(registered, specialist, centre_head):
    """The specialist is assigned to the registered case: they write its letters."""
    route_services.assignment_add(application=registered, specialist=specialist, area="cognitive", actor=centre_head)
    registered.refresh_from_db()
    return registered


@pytest.fixture
def draft_letter(on_case, organisation, contact, specialist):
    return services.letter_draft(
        actor=specialist,
        application=on_case,
        organisation=organisation,
        contact=contact,
        subject="МӘС қорытындысы туралы сұрау",
        body="Студенттің МӘС қорытындысының көшірмесін жіберуіңізді сұраймыз.",
        letter_date=timezone.localdate(),
    )


@pytest.fixture
def sent_letter(on_case, organisation, contact, specialist, django_capture_on_commit_callbacks):
    letter = services.letter_draft(
        actor=specialist,
        application=on_case,
        organisation=organisation,
        contact=contact,
        subject="Оңалту бағдарламасы туралы",
        body="Оңалтудың жеке бағдарламасын жіберуіңізді сұраймыз.",
        letter_date=timezone.localdate(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        return services.letter_send(actor=specialist, letter=letter)


def _letter_data(organisation, contact=None, **overrides):
    return _base_letter_data(organisation, contact) | overrides


def _base_letter_data(organisation, contact=None):
    return {
        "organisation": organisation.pk,
        "contact": contact.pk if contact else "",
        "subject": "Оңалту бағдарламасы",
        "body": "Құрметті әріптестер!",
        "letter_date": timezone.localdate().isoformat(),
    }


# --- The register -------------------------------------------------------------------------------------------


def test_the_centre_adds_and_edits_an_organisation_and_its_contacts(client, specialist):
    client.force_login(specialist)
    response = client.post(
        reverse("routes:organisation_new"),
        {"kind": "ngo", "name": "«Жол» қоғамдық бірлестігі", "address": "Астана", "email": "info@jol.kz"},
    )
    organisation = Organisation.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "routes:organisation", args=[organisation.pk]
    )
    assert organisation.history.first().history_user == specialist
    response = client.post(
        reverse("routes:organisation", args=[organisation.pk]), {"kind": "employer", "name": "«Жол» ЖШС"}
    )
    organisation.refresh_from_db()
    assert response.status_code == 302 and (organisation.kind, organisation.name) == ("employer", "«Жол» ЖШС")
    response = client.post(
        reverse("routes:contact_new", args=[organisation.pk]), {"full_name": "Асанов Болат", "position": "HR"}
    )
    person = ContactPerson.objects.get()
    assert response.status_code == 302 and person.organisation == organisation
    client.post(reverse("routes:contact_edit", args=[person.pk]), {"full_name": "Асанов Болат Серікұлы"})
    person.refresh_from_db()
    assert person.full_name == "Асанов Болат Серікұлы"
    page = client.get(reverse("routes:organisation", args=[organisation.pk])).content.decode()
    assert "Асанов Болат Серікұлы" in page


@pytest.mark.parametrize(
    "data, field",
    [
        ({"kind": "ngo", "name": ""}, "name"),
        ({"kind": "nonsense", "name": "X"}, "kind"),
        ({"kind": "ngo", "name": "X", "email": "not-an-address"}, "email"),
        ({"kind": "ngo", "name": "X" * 301}, "name"),
    ],
)
def test_a_wrong_organisation_is_refused_next_to_the_field(client, centre_head, data, field):
    client.force_login(centre_head)
    response = client.post(reverse("routes:organisation_new"), data)
    assert response.status_code == 422
    assert response.context["form"].errors[field]
    assert 'class="error-summary"' in response.content.decode()
    assert not Organisation.objects.exists()


def test_a_contact_without_a_name_is_refused(client, specialist, organisation):
    client.force_login(specialist)
    response = client.post(reverse("routes:contact_new", args=[organisation.pk]), {"full_name": " "})
    assert response.status_code == 422 and not ContactPerson.objects.exists()


def test_the_register_is_searched_and_paginated_without_a_query_per_row(
    client, specialist, django_assert_max_num_queries
):
    for index in range(25):
        organisation = Organisation.objects.create(kind="school", name=f"Мектеп №{index:02d}")
        ContactPerson.objects.create(organisation=organisation, full_name=f"Мұғалім {index:02d}")
    Organisation.objects.create(kind="rehabilitation", name="Оңалту орталығы")
    client.force_login(specialist)
    # Session, user, roles, the count, the page of organisations: none per row.
    with django_assert_max_num_queries(13):
        response = client.get(reverse("routes:organisations"))
    assert response.status_code == 200 and response.context["page"].paginator.count == 26
    assert len(response.context["items"]) == 20
    found = client.get(reverse("routes:organisations"), {"q": "Мұғалім 07"}).context["items"]
    assert [o.name for o in found] == ["Мектеп №07"]
    found = client.get(reverse("routes:organisations"), {"kind": "rehabilitation"}).context["items"]
    assert [o.name for o in found] == ["Оңалту орталығы"]


@pytest.mark.parametrize("name", ["student", "representative", "lecturer", "administration", "auditor", "outsider"])
def test_only_the_centre_keeps_the_register(client, request, name, organisation, contact):
    client.force_login(request.getfixturevalue(name))
    for url in (
        reverse("routes:organisations"),
        reverse("routes:organisation_new"),
        reverse("routes:organisation", args=[organisation.pk]),
        reverse("routes:contact_new", args=[organisation.pk]),
        reverse("routes:contact_edit", args=[contact.pk]),
    ):
        assert client.get(url).status_code == 404, url
        response = client.post(url, {"kind": "ngo", "name": "X", "full_name": "Y"})
        assert response.status_code in {404, 405}, url  # the list takes no POST from anyone
    organisation.refresh_from_db()
    assert organisation.name == "Алматы қалалық МӘС бөлімі" and Organisation.objects.count() == 1


# --- Letters ------------------------------------------------------------------------------------------------


def test_the_specialist_on_the_case_drafts_sends_and_records_the_reply(
    client, on_case, organisation, contact, specialist, django_capture_on_commit_callbacks
):
    client.force_login(specialist)
    response = client.post(
        reverse("routes:partner_letter_new", args=[on_case.public_id]), _letter_data(organisation, contact)
    )
    letter = PartnerLetter.objects.get()
    assert response.status_code == 302 and letter.status == PL.DRAFT and not letter.registration_number
    assert letter.created_by == specialist and letter.history.first().history_user == specialist
    response = client.post(
        reverse("routes:partner_letter_edit", args=[letter.pk]), _letter_data(organisation, subject="Жаңа тақырып")
    )
    letter.refresh_from_db()
    assert response.status_code == 302 and letter.subject == "Жаңа тақырып" and letter.contact is None

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("routes:partner_letter_send", args=[letter.pk]))
    letter.refresh_from_db()
    year = timezone.localdate().year
    assert response.status_code == 302 and letter.status == PL.SENT
    assert letter.registration_number == f"ШХ-{year}/0001" and letter.sent_by == specialist
    document = RegisteredDocument.objects.get(document_type=DocumentType.PARTNER_LETTER)
    assert document.number == letter.registration_number and document.student == on_case.student
    assert document.is_rendered and document.files.count() == len(document.languages)
    assert StatusChange.objects.filter(object_id=letter.pk, to_status=PL.SENT, actor=specialist).exists()

    reply = timezone.localdate()
    response = client.post(
        reverse("routes:partner_letter_answer", args=[letter.pk]),
        {"reply_date": reply.isoformat(), "reply_number": "02-15/339"},
    )
    letter.refresh_from_db()
    assert response.status_code == 302 and letter.status == PL.ANSWERED
    assert (letter.reply_date, letter.reply_number) == (reply, "02-15/339")
    page = client.get(reverse("routes:partner_letter", args=[letter.pk])).content.decode()
    assert "02-15/339" in page and letter.registration_number in page


def test_the_letter_pdf_is_on_the_letterhead_and_in_the_personal_file(sent_letter, student):
    document = RegisteredDocument.objects.get(document_type=DocumentType.PARTNER_LETTER)
    render_document_files(document_id=document.pk)
    assert document in documents_of_student(student.student)
    stored = document.files.get(language="kk")
    with stored.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_each_sent_letter_takes_the_next_outgoing_number(draft_letter, on_case, organisation, specialist):
    second = services.letter_draft(
        actor=specialist,
        application=on_case,
        organisation=organisation,
        contact=None,
        subject="Екінші хат",
        body="Мәтін",
        letter_date=timezone.localdate(),
    )
    first = services.letter_send(actor=specialist, letter=draft_letter)
    second = services.letter_send(actor=specialist, letter=second)
    year = timezone.localdate().year
    assert (first.registration_number, second.registration_number) == (f"ШХ-{year}/0001", f"ШХ-{year}/0002")


def test_sending_twice_answers_409_and_registers_once(client, sent_letter, specialist):
    client.force_login(specialist)
    response = client.post(reverse("routes:partner_letter_send", args=[sent_letter.pk]))
    assert response.status_code == 409
    assert RegisteredDocument.objects.filter(document_type=DocumentType.PARTNER_LETTER).count() == 1


def test_a_sent_letter_cannot_be_edited(client, sent_letter, specialist, organisation):
    client.force_login(specialist)
    response = client.post(reverse("routes:partner_letter_edit", args=[sent_letter.pk]), _letter_data(organisation))
    assert response.status_code == 302
    sent_letter.refresh_from_db()
    assert sent_letter.subject == "Оңалту бағдарламасы туралы"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"subject": ""}, "subject"),
        ({"body": "  "}, "body"),
        ({"letter_date": "31.02.2026"}, "letter_date"),
        ({"letter_date": "1800-01-01"}, "letter_date"),
        ({"organisation": "999999"}, "organisation"),
        ({"subject": "x" * 301}, "subject"),
    ],
)
def test_a_wrong_letter_is_refused_next_to_the_field(client, on_case, organisation, specialist, overrides, field):
    client.force_login(specialist)
    response = client.post(
        reverse("routes:partner_letter_new", args=[on_case.public_id]), _base_letter_data(organisation) | overrides
    )
    assert response.status_code == 422 and response.context["form"].errors[field]
    assert not PartnerLetter.objects.exists()


def test_a_person_of_another_organisation_is_refused(client, on_case, organisation, specialist):
    other = services.organisation_save(actor=specialist, kind="school", name="№5 мектеп")
    stranger = services.contact_save(actor=specialist, organisation=other, full_name="Бөтен Адам")
    client.force_login(specialist)
    response = client.post(
        reverse("routes:partner_letter_new", args=[on_case.public_id]), _letter_data(organisation, stranger)
    )
    assert response.status_code == 422 and response.context["form"].errors["contact"]
    assert not PartnerLetter.objects.exists()


@pytest.mark.parametrize(
    "reply_date, code",
    [
        (lambda: timezone.localdate() + datetime.timedelta(days=1), 422),
        (lambda: timezone.localdate() - datetime.timedelta(days=30), 422),
    ],
)
def test_a_wrong_reply_date_is_refused(client, sent_letter, specialist, reply_date, code):
    client.force_login(specialist)
    response = client.post(
        reverse("routes:partner_letter_answer", args=[sent_letter.pk]), {"reply_date": reply_date().isoformat()}
    )
    assert response.status_code == code and response.context["answer_form"].errors["reply_date"]
    sent_letter.refresh_from_db()
    assert sent_letter.status == PL.SENT and sent_letter.reply_date is None


def test_a_draft_cannot_be_answered(client, draft_letter, specialist):
    client.force_login(specialist)
    response = client.post(
        reverse("routes:partner_letter_answer", args=[draft_letter.pk]),
        {"reply_date": timezone.localdate().isoformat()},
    )
    assert response.status_code == 409
    draft_letter.refresh_from_db()
    assert draft_letter.status == PL.DRAFT


# --- Who sees what ------------------------------------------------------------------------------------------


def _letter_urls(letter):
    return [
        reverse("routes:partner_letter", args=[letter.pk]),
        reverse("routes:partner_letter_edit", args=[letter.pk]),
        reverse("routes:partner_letter_new", args=[letter.application.public_id]),
    ]


@pytest.mark.parametrize("name", ["lecturer", "administration", "auditor", "outsider", "other_student"])
def test_lecturers_the_administration_and_strangers_see_no_letter(client, request, name, sent_letter, draft_letter):
    client.force_login(request.getfixturevalue(name))
    for letter in (sent_letter, draft_letter):
        for url in _letter_urls(letter):
            assert client.get(url).status_code == 404, url
        for action in ("partner_letter_send", "partner_letter_answer"):
            response = client.post(
                reverse(f"routes:{action}", args=[letter.pk]), {"reply_date": timezone.localdate().isoformat()}
            )
            assert response.status_code == 404
    case_page = client.get(reverse("students:application_detail", args=[sent_letter.application.public_id]))
    assert sent_letter.subject not in case_page.content.decode()
    assert PartnerLetter.objects.get(pk=draft_letter.pk).status == PL.DRAFT


def test_a_specialist_not_on_the_case_sees_no_letter(client, sent_letter, draft_letter):
    from inclusion_centre.accounts.roles import Role
    from tests.factories import UserFactory

    client.force_login(UserFactory(roles=[Role.SPECIALIST]))
    for url in _letter_urls(draft_letter):
        assert client.get(url).status_code == 404
    assert client.post(reverse("routes:partner_letter_send", args=[draft_letter.pk])).status_code == 404


@pytest.mark.parametrize("name", ["student", "representative"])
def test_the_applicant_side_reads_sent_letters_only(client, request, name, sent_letter, draft_letter):
    client.force_login(request.getfixturevalue(name))
    page = client.get(reverse("routes:partner_letter", args=[sent_letter.pk]))
    assert page.status_code == 200 and sent_letter.registration_number in page.content.decode()
    assert "Send and register" not in page.content.decode()
    assert client.get(reverse("routes:partner_letter", args=[draft_letter.pk])).status_code == 404
    assert client.get(reverse("routes:partner_letter_edit", args=[sent_letter.pk])).status_code == 404
    assert client.get(reverse("routes:partner_letter_new", args=[sent_letter.application.public_id])).status_code == 404
    response = client.post(
        reverse("routes:partner_letter_answer", args=[sent_letter.pk]), {"reply_date": timezone.localdate().isoformat()}
    )
    assert response.status_code == 404
    case_page = client.get(reverse("students:application_detail", args=[sent_letter.application.public_id]))
    text = case_page.content.decode()
    assert sent_letter.registration_number in text and draft_letter.subject not in text.replace(sent_letter.subject, "")
    document = RegisteredDocument.objects.get(document_type=DocumentType.PARTNER_LETTER)
    download = client.get(reverse("documents:download", args=[document.public_id, document.languages[0]]))
    assert download.status_code == 200


def test_the_centre_head_sees_and_writes_every_letter(client, centre_head, sent_letter):
    client.force_login(centre_head)
    page = client.get(reverse("routes:partner_letter", args=[sent_letter.pk]))
    assert page.status_code == 200 and page.context["answer_form"] is not None


def test_the_case_page_lists_the_letters_in_one_query(
    client, on_case, organisation, specialist, django_assert_max_num_queries
):
    for index in range(6):
        letter = services.letter_draft(
            actor=specialist,
            application=on_case,
            organisation=organisation,
            contact=None,
            subject=f"Хат {index}",
            body="Мәтін",
            letter_date=timezone.localdate(),
        )
        if index % 2:
            services.letter_send(actor=specialist, letter=letter)
    client.force_login(specialist)
    url = reverse("students:application_detail", args=[on_case.public_id])
    client.get(url)
    with django_assert_max_num_queries(45) as captured:
        response = client.get(url)
    text = response.content.decode()
    assert all(f"Хат {index}" in text for index in range(6))
    letter_queries = [q for q in captured.captured_queries if "routes_partnerletter" in q["sql"]]
    assert len(letter_queries) == 1
