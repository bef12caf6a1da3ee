"""Seeds the categories of needs (DOMAIN.md, seeds/000), the conditions checklist (regulation §5.3, §6.2) and the
first consent text. Entries are looked up by code, so editing them later in the admin is kept."""

import datetime

from django.db import migrations

# code, kk, ru, en, ky
NEED_CATEGORIES = [
    ("visual", "Көру", "Зрение", "Vision", "Көрүү"),
    ("hearing", "Есту", "Слух", "Hearing", "Угуу"),
    ("mobility", "Қимыл-қозғалыс, тірек-қимыл аппараты", "Передвижение, опорно-двигательный аппарат",
     "Mobility, musculoskeletal", "Кыймыл, таяныч-кыймыл аппараты"),
    ("speech", "Сөйлеу", "Речь", "Speech", "Сүйлөө"),
    ("autism", "Аутизм спектрі", "Расстройство аутистического спектра", "Autism spectrum", "Аутизм спектри"),
    ("chronic_somatic", "Созылмалы соматикалық ауру", "Хроническое соматическое заболевание",
     "Chronic somatic illness", "Өнөкөт соматикалык оору"),
    ("mental_health", "Психикалық денсаулық", "Психическое здоровье", "Mental health", "Психикалык ден соолук"),
    ("learning", "Оқудағы ерекше қиындықтар", "Специфические трудности в обучении",
     "Specific learning difficulties", "Окуудагы өзгөчө кыйынчылыктар"),
    ("social", "Әлеуметтік жағдай (аз қамтылған отбасы, жетім, босқын, қандас)",
     "Социальное положение (малообеспеченная семья, сирота, беженец, кандас)",
     "Social situation (low-income family, orphan, refugee, returnee)",
     "Социалдык абал (аз камсыз болгон үй-бүлө, жетим, качкын, кайрылман)"),
    ("other", "Басқа", "Другое", "Other", "Башка"),
]

CONDITIONS = [
    ("large_print", "Ірі қаріппен басылған материалдар", "Материалы крупным шрифтом", "Materials in large print",
     "Ири арип менен басылган материалдар"),
    ("electronic", "Материалдардың электрондық нұсқалары", "Электронные версии материалов",
     "Electronic versions of materials", "Материалдардын электрондук версиялары"),
    ("audio", "Аудио материалдар", "Аудиоматериалы", "Audio materials", "Аудио материалдар"),
    ("braille", "Брайль қарпіндегі материалдар", "Материалы шрифтом Брайля", "Materials in Braille",
     "Брайль арибиндеги материалдар"),
    ("sign_language", "Ым тілі аудармашысы", "Сурдопереводчик", "Sign-language interpreter",
     "Жаңсоо тилинин котормочусу"),
    ("assistive_tech", "Көмекші технологиялар (экран оқу бағдарламалары, үлкейткіштер және т.б.)",
     "Вспомогательные технологии (программы экранного доступа, увеличители и т. п.)",
     "Assistive technology (screen readers, magnifiers and similar)",
     "Жардамчы технологиялар (экран окуу программалары, чоңойткучтар ж.б.)"),
    ("extra_time", "Емтихандарда қосымша уақыт", "Дополнительное время на экзаменах", "Extra time in exams",
     "Сынактарда кошумча убакыт"),
    ("oral_exam", "Жазбаша орнына ауызша тапсыру", "Устная форма вместо письменной", "Oral instead of written exams",
     "Жазуу жүзүндө эмес, оозеки тапшыруу"),
    ("separate_room", "Емтиханды бөлек бөлмеде тапсыру", "Экзамен в отдельной аудитории", "Exams in a separate room",
     "Сынакты өзүнчө бөлмөдө тапшыруу"),
    ("individual_timetable", "Жеке оқу кестесі", "Индивидуальное расписание", "Individual timetable",
     "Жеке окуу графиги"),
    ("distance", "Қашықтықтан оқыту элементтері", "Элементы дистанционного обучения", "Distance learning",
     "Аралыктан окутуунун элементтери"),
    ("tutor", "Тьютордың сүйемелдеуі", "Сопровождение тьютора", "Support from a tutor", "Тьютордун коштоосу"),
    ("psychologist", "Психологтың қолдауы", "Поддержка психолога", "Support from a psychologist",
     "Психологдун колдоосу"),
    ("physical_access", "Ғимарат пен аудиторияның қолжетімділігі", "Доступность здания и аудитории",
     "Accessible buildings and rooms", "Имараттын жана аудиториянын жеткиликтүүлүгү"),
    ("note_taking", "Конспект жазуға көмек", "Помощь в ведении конспектов", "Help with taking notes",
     "Конспект жазууга жардам"),
]

CONSENT = {
    "kk": (
        "Мен, өтініште көрсетілген білім алушы (немесе оның заңды өкілі), «Дербес деректер және оларды қорғау "
        "туралы» Қазақстан Республикасының 2013 жылғы 21 мамырдағы № 94-V Заңына сәйкес Институттың Инклюзивті "
        "білім беруді қолдау орталығына менің дербес деректерімді, соның ішінде денсаулық жағдайы туралы "
        "мәліметтерді, инклюзивті білім беру жағдайларын ұйымдастыру мақсатында жинауға, өңдеуге және сақтауға "
        "келісім беремін.\n\n"
        "Деректерді тек осы іспен жұмыс істейтін уәкілетті қызметкерлер көреді. Оқытушылар менің денсаулығым "
        "туралы мәліметтерді емес, тек өз пәндері бойынша бейімдеулерді көреді. Деректер үшінші тұлғаларға тек "
        "заңда көзделген жағдайларда беріледі.\n\n"
        "Келісімді кез келген уақытта осы жүйеде немесе Орталыққа жазбаша өтініш беру арқылы кері қайтарып ала "
        "аламын. Кері қайтарып алу бұрын заңды түрде жүргізілген өңдеуге әсер етпейді."
    ),
    "ru": (
        "Я, обучающийся, указанный в заявлении (или его законный представитель), в соответствии с Законом "
        "Республики Казахстан от 21 мая 2013 года № 94-V «О персональных данных и их защите» даю согласие Центру "
        "поддержки инклюзивного образования Института на сбор, обработку и хранение моих персональных данных, "
        "в том числе сведений о состоянии здоровья, в целях организации условий инклюзивного образования.\n\n"
        "Данные видят только уполномоченные сотрудники, работающие с этим делом. Преподаватели видят только "
        "адаптации по своим дисциплинам, но не сведения о моём здоровье. Третьим лицам данные передаются только "
        "в случаях, предусмотренных законом.\n\n"
        "Я могу отозвать согласие в любое время в этой системе или письменным заявлением в Центр. Отзыв не "
        "влияет на обработку, законно проведённую до него."
    ),
    "en": (
        "I, the student named in the application (or their legal representative), in accordance with the Law of "
        "the Republic of Kazakhstan No. 94-V of 21 May 2013 “On personal data and their protection”, consent to "
        "the Institute's Inclusive Education Support Centre collecting, processing and keeping my personal data, "
        "including information about my health, in order to arrange inclusive-education conditions for me.\n\n"
        "Only authorised staff working on this case see the data. Lecturers see only the adaptations for their "
        "own courses, never information about my health. The data is passed to third parties only where the law "
        "provides for it.\n\n"
        "I may withdraw this consent at any time in this system or by writing to the Centre. Withdrawal does not "
        "affect processing lawfully carried out before it."
    ),
    "ky": (
        "Мен, арызда көрсөтүлгөн студент (же анын мыйзамдуу өкүлү), Казакстан Республикасынын 2013-жылдын "
        "21-майындагы № 94-V «Жеке маалыматтар жана аларды коргоо жөнүндө» Мыйзамына ылайык, Институттун "
        "Инклюзивдүү билим берүүнү колдоо борборуна менин жеке маалыматтарымды, анын ичинде ден соолугум "
        "жөнүндө маалыматтарды, инклюзивдүү билим берүү шарттарын уюштуруу максатында чогултууга, иштетүүгө "
        "жана сактоого макулдук берем.\n\n"
        "Маалыматтарды ушул иш менен иштеген ыйгарым укуктуу кызматкерлер гана көрөт. Окутуучулар менин ден "
        "соолугум жөнүндө маалыматты эмес, өз сабактары боюнча ыңгайлаштырууларды гана көрүшөт. Маалыматтар "
        "үчүнчү жактарга мыйзамда каралган учурларда гана берилет.\n\n"
        "Макулдукту каалаган убакта ушул системада же Борборго жазуу жүзүндө кайрылып кайтарып ала алам. "
        "Кайтарып алуу ага чейин мыйзамдуу жүргүзүлгөн иштетүүгө таасир этпейт."
    ),
}


def seed(apps, schema_editor):
    NeedCategory = apps.get_model("students", "NeedCategory")
    ConditionOption = apps.get_model("students", "ConditionOption")
    ConsentText = apps.get_model("students", "ConsentText")
    for model, rows in ((NeedCategory, NEED_CATEGORIES), (ConditionOption, CONDITIONS)):
        for order, (code, kk, ru, en, ky) in enumerate(rows, start=1):
            model.objects.get_or_create(
                code=code, defaults={"name_kk": kk, "name_ru": ru, "name_en": en, "name_ky": ky, "order": order * 10}
            )
    ConsentText.objects.get_or_create(
        version="2026-1",
        defaults={
            "effective_from": datetime.date(2026, 1, 1),
            **{f"text_{language}": text for language, text in CONSENT.items()},
        },
    )


class Migration(migrations.Migration):
    dependencies = [("students", "0002_applications")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
