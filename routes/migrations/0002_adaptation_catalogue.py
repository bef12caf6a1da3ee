"""Seeds the adaptation catalogue, grouped as in the regulation (§5.3, §6.2). Looked up by code: edits made
later in the admin are kept."""

from django.db import migrations

# group, code, kk, ru, en, ky
ADAPTATIONS = [
    ("formats", "large_print", "Ірі қаріппен басылған материалдар", "Материалы крупным шрифтом", "Materials in large print", "Ири арип менен басылган материалдар"),
    ("formats", "electronic", "Материалдардың электрондық нұсқалары", "Электронные версии материалов", "Electronic versions of materials", "Материалдардын электрондук версиялары"),
    ("formats", "audio", "Аудио материалдар", "Аудиоматериалы", "Audio versions of materials", "Аудио материалдар"),
    ("formats", "braille", "Брайль қарпіндегі материалдар", "Материалы шрифтом Брайля", "Materials in Braille", "Брайль арибиндеги материалдар"),
    ("formats", "easy_read", "Жеңілдетілген мәтіндер", "Тексты в упрощённом изложении", "Easy-read texts", "Жөнөкөйлөтүлгөн тексттер"),
    ("content", "simplified_tasks", "Тапсырмаларды кезең-кезеңге бөлу", "Деление заданий на шаги", "Tasks broken into steps", "Тапшырмаларды кадамдарга бөлүү"),
    ("content", "visual_supports", "Көрнекі тіректер мен сызбалар", "Наглядные опоры и схемы", "Visual supports and diagrams", "Көрсөтмө таяныч жана схемалар"),
    ("content", "key_terms", "Негізгі терминдер сөздігі алдын ала беріледі", "Словарь ключевых терминов заранее", "Glossary of key terms in advance", "Негизги терминдердин сөздүгү алдын ала берилет"),
    ("timetable", "individual_timetable", "Жеке оқу кестесі", "Индивидуальное расписание", "Individual timetable", "Жеке окуу графиги"),
    ("timetable", "breaks", "Сабақ кезінде қосымша үзілістер", "Дополнительные перерывы на занятиях", "Extra breaks in classes", "Сабак учурунда кошумча тыныгуулар"),
    ("timetable", "ground_floor", "Сабақтар бірінші қабатта", "Занятия на первом этаже", "Classes on the ground floor", "Сабактар биринчи кабатта"),
    ("methods", "assistive_tech", "Көмекші технологиялар (экран оқу, үлкейткіш)", "Вспомогательные технологии (экранный доступ, увеличение)", "Assistive technology (screen reader, magnifier)", "Жардамчы технологиялар (экран окуу, чоңойткуч)"),
    ("methods", "sign_language", "Ым тілі аудармашысы", "Сурдопереводчик", "Sign-language interpreting", "Жаңсоо тилинин котормочусу"),
    ("methods", "captions", "Бейнематериалдарда субтитрлер", "Субтитры к видеоматериалам", "Captions for video", "Видеоматериалдарда субтитрлер"),
    ("methods", "distance", "Қашықтықтан оқыту формалары", "Дистанционные формы обучения", "Distance forms of study", "Аралыктан окутуунун формалары"),
    ("methods", "recording", "Дәрістерді жазып алуға рұқсат", "Разрешение записывать лекции", "Permission to record lectures", "Лекцияларды жаздырып алууга уруксат"),
    ("methods", "note_taker", "Конспект жазуға көмекші", "Помощник для ведения конспектов", "Note-taking assistance", "Конспект жазууга жардамчы"),
    ("assessment", "extra_time", "Бақылауда қосымша уақыт (+25%)", "Дополнительное время на контроль (+25%)", "Extra time in assessments (+25%)", "Текшерүүдө кошумча убакыт (+25%)"),
    ("assessment", "oral", "Жазбаша орнына ауызша жауап", "Устный ответ вместо письменного", "Oral instead of written answers", "Жазуу жүзүндөгү ордуна оозеки жооп"),
    ("assessment", "separate_room", "Бөлек бөлмеде тапсыру", "Сдача в отдельной аудитории", "A separate room", "Өзүнчө бөлмөдө тапшыруу"),
    ("assessment", "assistive_devices", "Көмекші құрылғыларды пайдалану", "Использование вспомогательных устройств", "Assistive devices allowed", "Жардамчы түзмөктөрдү колдонуу"),
    ("assessment", "computer", "Қолмен жазудың орнына компьютер", "Компьютер вместо письма от руки", "A computer instead of handwriting", "Кол менен жазуунун ордуна компьютер"),
    ("support", "psychologist", "Психологтың тұрақты кеңесі", "Регулярные консультации психолога", "Regular sessions with a psychologist", "Психологдун үзгүлтүксүз кеңеши"),
    ("support", "tutor", "Тьютордың сүйемелдеуі", "Сопровождение тьютора", "Support from a tutor", "Тьютордун коштоосу"),
    ("support", "speech_therapist", "Логопедпен сабақтар", "Занятия с логопедом", "Sessions with a speech therapist", "Логопед менен сабактар"),
    ("support", "social_pedagogue", "Әлеуметтік педагогтың көмегі", "Помощь социального педагога", "Help from a social pedagogue", "Социалдык педагогдун жардамы"),
    ("physical", "step_free", "Баспалдақсыз кіру және пандус", "Безбарьерный вход и пандус", "Step-free access and ramps", "Тепкичсиз кирүү жана пандус"),
    ("physical", "accessible_desk", "Бейімделген оқу орны", "Адаптированное учебное место", "An adapted desk", "Ыңгайлаштырылган окуу орду"),
    ("physical", "front_seat", "Алдыңғы қатардағы орын", "Место в первом ряду", "A seat in the front row", "Алдыңкы катардагы орун"),
]


def seed(apps, schema_editor):
    Adaptation = apps.get_model("routes", "Adaptation")
    for order, (group, code, kk, ru, en, ky) in enumerate(ADAPTATIONS, start=1):
        Adaptation.objects.get_or_create(
            code=code,
            defaults={"group": group, "name_kk": kk, "name_ru": ru, "name_en": en, "name_ky": ky, "order": order * 10},
        )


class Migration(migrations.Migration):
    dependencies = [("routes", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
