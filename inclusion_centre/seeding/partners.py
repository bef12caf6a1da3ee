"""Demo data of the external organisations and of the archive: an organisation of every kind with a contact
person, letters about a demo case in every state (draft, sent, answered), and one hand-over to the archive (the
closed demo case's documents, packed and destroyed). Each row is found by a stable key (the organisation's name,
the letter's subject, the hand-over's case) before it is made, so a second run adds nothing."""

from django.utils import timezone

from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from routes.models import HandOver, Organisation, PartnerLetter
from routes.retention import case_documents, hand_over_now
from routes.services import partners as services
from students.models import Application

# (kind, name: the stable key, address, phone, contact, position)
ORGANISATIONS = [
    (
        "medical_social",
        "Алматы қаласы бойынша медициналық-әлеуметтік сараптама департаменті",
        "Алматы, Абай д-лы, 52",
        "+7 727 000 00 01",
        "Серікова Айгүл Маратқызы",
        "Сараптама бөлімінің басшысы",
    ),
    (
        "rehabilitation",
        "«Шипагер» оңалту орталығы",
        "Алматы, Төле би к-сі, 120",
        "+7 727 000 00 02",
        "Нұрланов Ерлан",
        "Бас дәрігер",
    ),
    (
        "ngo",
        "«Мүмкіндігі шектеулі жастар» қоғамдық бірлестігі",
        "Алматы, Гоголь к-сі, 15",
        "+7 727 000 00 03",
        "Ахметова Динара",
        "Төраға",
    ),
    (
        "employer",
        "«Цифрлық шешімдер» ЖШС",
        "Алматы, Әл-Фараби д-лы, 77",
        "+7 727 000 00 04",
        "Ким Виктор",
        "Кадр бөлімінің басшысы",
    ),
    (
        "school",
        "№ 12 инклюзивті мектеп-гимназия",
        "Алматы, Сейфуллин д-лы, 300",
        "+7 727 000 00 05",
        "Жұмабаева Гүлнар",
        "Директордың оқу ісі жөніндегі орынбасары",
    ),
    (
        "other",
        "Қалалық психологиялық-педагогикалық түзету кабинеті",
        "Алматы, Жандосов к-сі, 8",
        "",
        "Оспанов Тимур",
        "Логопед",
    ),
]

# (subject: the stable key, organisation index, body, the moves after drafting)
LETTERS = [
    (
        "МӘС қорытындысының көшірмесі туралы сұрау",
        0,
        "Студенттің мүгедектік тобын растайтын МӘС қорытындысының көшірмесін жіберуіңізді сұраймыз.",
        ["sent", "answered"],
    ),
    (
        "Оңалтудың жеке бағдарламасы туралы",
        1,
        "Студенттің оңалтудың жеке бағдарламасындағы ұсынымдарды бізге жіберуіңізді сұраймыз.",
        ["sent"],
    ),
    (
        "Кәсіптік практикаға жолдама",
        3,
        "Студентті бейімделген жұмыс орнымен кәсіптік практикаға қабылдауыңызды сұраймыз.",
        [],
    ),
]


def seed_partners(users: dict[Role, User]) -> None:
    head = users[Role.CENTRE_HEAD]
    organisations = []
    for kind, name, address, phone, person, position in ORGANISATIONS:
        organisation = Organisation.objects.filter(name=name).first()
        if organisation is None:
            organisation = services.organisation_save(actor=head, kind=kind, name=name, address=address, phone=phone)
            services.contact_save(actor=head, organisation=organisation, full_name=person, position=position)
        organisations.append(organisation)
    case = (
        Application.objects.filter(status=Application.Status.CONCLUDED, student__user__email="student@demo.edu.kz")
        .order_by("pk")
        .first()
    ) or Application.objects.filter(status=Application.Status.CONCLUDED).order_by("pk").first()
    if case is None:
        return
    today = timezone.localdate()
    for subject, index, body, moves in LETTERS:
        if PartnerLetter.objects.filter(subject=subject).exists():
            continue
        organisation = organisations[index]
        letter = services.letter_draft(
            actor=head,
            application=case,
            organisation=organisation,
            contact=organisation.contacts.first(),
            subject=subject,
            body=body,
            letter_date=today,
        )
        if "sent" in moves:
            letter = services.letter_send(actor=head, letter=letter)
        if "answered" in moves:
            services.letter_answer(actor=head, letter=letter, reply_date=today, reply_number="02-15/339")


def seed_handover() -> None:
    """One hand-over done: the closed demo case's documents without signatures, packed and destroyed."""
    closed = Application.objects.filter(status=Application.Status.CLOSED).order_by("pk").first()
    if closed is None or HandOver.objects.filter(application=closed).exists():
        return
    documents = [d for d in case_documents([closed.pk]).get(closed.pk, []) if not d.signatures.exists()]
    if documents:
        hand_over_now(application=closed, documents=documents)
