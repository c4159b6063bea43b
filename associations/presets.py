"""The four seed districts' regulations as presets, point by point (DOMAIN.md; seeds 000–004).

An administrator copies a preset and edits the copy; a new district describes itself with new rows.
`presets_load(apps)` works with any app registry: the data migration passes its historical one, the demo
and the tests pass Django's. If a later migration changes these models, freeze a copy of this module into
the migration that needs the old shape.
"""

# Which document a rule covers and whether its date is the regulation's: see DocumentRule. Each rule says the
# clause it comes from as a user reads it («Положение об УМО, п. 6.12»).
PECHORA_DI = "Должностная инструкция руководителя РМО"
PECHORA = "Положение о РМО"
ZALESOVO = "Положение о ММО"
VILYUISK = "Положение об УМО"

PRESETS = [
    {
        "code": "pechora-rmo",
        "title": "Положение о районном методическом объединении",
        "district": "Печорский район",
        "body_kind": "association",
        "source": f"{PECHORA_DI}; {PECHORA} (Печорский район)",
        "summary": "Заседание не реже раза в четверть; протокол ведёт секретарь; план — в начале учебного года; "
        "отчёт в ИАЦ до 10 июня; база педагогов ведётся; руководитель — высшее педагогическое образование, "
        "высшая категория, стаж работы в системе образования от 5 лет, назначается приказом.",
        "teacher_database_due": "",
        "teacher_database_clause": f"{PECHORA}, п. 15: банк данных о педагогах — в документации РМО (срок не назван)",
        "leader_min_category": "highest",
        "leader_min_years": 5,
        "leader_experience": "total",
        "leader_higher_pedagogical": True,
        "leader_subject_teacher": False,
        "leader_appointment": "order",
        "composition_by_order": False,
        "meetings": [{"period": "term", "min_count": 1, "by_published_schedule": False,
                      "note": f"{PECHORA}, п. 11: не реже 1 раза в четверть"}],
        "protocol": {"days_after_meeting": None, "kept_by_secretary": True, "signed_by_leader": True,
                     "signed_by_secretary": True, "scan_published": False,
                     "note": f"{PECHORA}, п. 12: протоколы ведёт секретарь (кто подписывает, положение не "
                             "называет: приняты подписи руководителя и секретаря)"},
        "documents": [
            {"document": "work_plan", "date_rule": "after_start", "days": 14, "recipient": "ИАЦ РУО",
             "date_assumed": True,
             "note": f"{PECHORA}, п. 16: план работы — в начале учебного года (срок не назван; принято 14 дней)"},
            {"document": "annual_report", "date_rule": "fixed_day", "month": 6, "day": 10, "recipient": "ИАЦ РУО",
             "note": f"{PECHORA_DI}, разд. 2 «Должностные обязанности»: отчёт за учебный год до 10 июня; "
                     f"{PECHORA}, п. 16"},
        ],
        "windows": [],
    },
    {
        "code": "kurchaloy-oms",
        "title": "Положение об Отделе методического сопровождения",
        "district": "Курчалоевский район",
        "body_kind": "service",
        "source": "Положение об Отделе методического сопровождения (Курчалоевский район)",
        "summary": "Методическая служба: руководитель, методисты, методический совет, творческие и экспертные "
        "группы, банк педагогического опыта. Правил для объединений не задаёт.",
        "teacher_database_due": "",
        "teacher_database_clause": "",
        "leader_min_category": "",
        "leader_min_years": 0,
        "leader_experience": "pedagogical",
        "leader_higher_pedagogical": False,
        "leader_subject_teacher": False,
        "leader_appointment": "order",
        "composition_by_order": False,
        "meetings": [],
        "protocol": None,
        "documents": [],
        "windows": [],
    },
    {
        "code": "zalesovo-mmo",
        "title": "Положение о муниципальных методических объединениях",
        "district": "Залесовский муниципальный округ",
        "body_kind": "association",
        "source": f"{ZALESOVO} (Залесовский муниципальный округ)",
        "summary": "Не менее 4 заседаний в учебный год под председательством руководителя, с протоколом; план на "
        "учебный год; анализ и портфолио в конце мая; самооценка в мае–июне; руководитель — первая или высшая "
        "категория, назначается приказом.",
        "teacher_database_due": "",
        "teacher_database_clause": "",
        "leader_min_category": "first",
        "leader_min_years": 0,
        "leader_experience": "pedagogical",
        "leader_higher_pedagogical": False,
        "leader_subject_teacher": False,
        "leader_appointment": "order",
        "composition_by_order": False,
        "meetings": [{"period": "year", "min_count": 4, "by_published_schedule": False,
                      "note": f"{ZALESOVO}, п. 4.2: не менее 4 раз в учебный год"}],
        "protocol": {"days_after_meeting": None, "kept_by_secretary": False, "signed_by_leader": True,
                     "signed_by_secretary": False, "scan_published": False,
                     "note": f"{ZALESOVO}, п. 4.2: под председательством руководителя, с ведением протокола"},
        "documents": [
            {"document": "work_plan", "date_rule": "after_start", "days": 14, "recipient": "отдел по образованию",
             "date_assumed": True,
             "note": f"{ZALESOVO}, п. 4.1: работа по плану на учебный год (срок плана не назван; принято 14 дней)"},
            {"document": "annual_report", "date_rule": "fixed_day", "month": 5, "day": 31,
             "recipient": "отдел по образованию", "date_assumed": True,
             "note": f"{ZALESOVO}, п. 4.4: анализ деятельности по окончании учебного года («конец мая»; принято "
                     "31 мая)"},
            {"document": "portfolio", "date_rule": "fixed_day", "month": 5, "day": 31,
             "recipient": "отдел по образованию", "date_assumed": True,
             "note": f"{ZALESOVO}, п. 4.4: портфолио объединения («конец мая»; принято 31 мая)"},
            {"document": "self_assessment", "date_rule": "period", "start_month": 5, "start_day": 1, "month": 6,
             "day": 30, "note": f"{ZALESOVO}, п. 5.7: самооценка качества работы в конце учебного года (май–июнь)"},
        ],
        "windows": [],
    },
    {
        "code": "vilyuisk-umo",
        "title": "Положение об улусном методическом объединении",
        "district": "Вилюйский улус",
        "body_kind": "association",
        "source": f"{VILYUISK} (Вилюйский улус)",
        "summary": "Заседание не реже раза в полугодие по опубликованному графику; протокол в 3 дня, подписи "
        "руководителя и секретаря, скан на сайте; проект плана на следующий год к 15 мая, обсуждение, голосование "
        "и утверждение к 20 июня, публикация 20–30 августа; отчёт в УУО до 20 июня, публикация 20–30 июня; "
        "записка в НМЦ до 28-го числа последнего месяца квартала; база педагогов к 25 сентября; руководитель — "
        "учитель предмета с первой или высшей категорией, избирается или назначается, утверждается приказом; "
        "состав утверждается приказом.",
        "teacher_database_due": "25.09",
        "teacher_database_clause": f"{VILYUISK}, п. 6.10: ежегодно до 25 сентября",
        "leader_min_category": "first",
        "leader_min_years": 0,
        "leader_experience": "pedagogical",
        "leader_higher_pedagogical": False,
        "leader_subject_teacher": True,
        "leader_appointment": "election",
        "leader_replace_after_months": 3,
        "composition_by_order": True,
        "meetings": [{"period": "half_year", "min_count": 1, "by_published_schedule": True,
                      "note": f"{VILYUISK}, п. 4.2: не реже 1 раза в полугодие, по графику на сайте"}],
        "protocol": {"days_after_meeting": 3, "kept_by_secretary": True, "signed_by_leader": True,
                     "signed_by_secretary": True, "scan_published": True,
                     "note": f"{VILYUISK}, п. 4.2: не позднее трёх дней, подписи руководителя и секретаря, скан "
                             "на сайте"},
        "documents": [
            {"document": "plan_draft", "date_rule": "fixed_day", "month": 5, "day": 15,
             "recipient": "дистанционный форум", "covers_next_year": True,
             "note": f"{VILYUISK}, п. 6.12: проект плана на следующий учебный год — не позднее 15 мая"},
            {"document": "work_plan", "date_rule": "fixed_day", "month": 6, "day": 20, "recipient": "УУО",
             "covers_next_year": True, "discussion_and_vote": True,
             "note": f"{VILYUISK}, п. 6.12: обсуждение, голосование и утверждение до 20 июня; п. 6.3"},
            {"document": "annual_report", "date_rule": "fixed_day", "month": 6, "day": 20, "recipient": "УУО",
             "note": f"{VILYUISK}, п. 6.4: аналитический отчёт в УУО до 20 июня"},
            {"document": "quarterly_note", "date_rule": "quarter_end", "day": 28, "recipient": "НМЦ",
             "note": f"{VILYUISK}, п. 6.7: до 28-го числа последнего месяца квартала; п. 9.3: 4 записки за "
                     "календарный год"},
        ],
        "windows": [
            {"document": "annual_report", "from_day": "20.06", "to_day": "30.06",
             "note": f"{VILYUISK}, п. 6.5: отчёты размещаются на сайте с 20 по 30 июня"},
            {"document": "work_plan", "from_day": "20.08", "to_day": "30.08", "covers_next_year": True,
             "note": f"{VILYUISK}, п. 6.6: планы на следующий учебный год размещаются с 20 по 30 августа"},
        ],
    },
]  # fmt: skip

RULE_KEYS = ("meetings", "protocol", "documents", "windows")
DOCUMENT_DEFAULTS = {
    "start_month": None, "start_day": None, "month": None, "day": None, "days": None, "recipient": "",
    "covers_next_year": False, "date_assumed": False, "discussion_and_vote": False,
}  # fmt: skip


def presets_load(apps) -> None:
    """Create the preset regulations, or bring them up to date in place.

    Rows are updated where they stand (matched by regulation and period or document), so that later tables can
    point at rules; rules a preset no longer has are removed. An administrator's confirmation of an assumed
    date is kept.
    """
    Regulation = apps.get_model("associations", "Regulation")
    MeetingRule = apps.get_model("associations", "MeetingRule")
    ProtocolRule = apps.get_model("associations", "ProtocolRule")
    DocumentRule = apps.get_model("associations", "DocumentRule")
    PublicationWindow = apps.get_model("associations", "PublicationWindow")
    for preset in PRESETS:
        fields = {k: v for k, v in preset.items() if k not in RULE_KEYS and k != "code"}
        regulation, _ = Regulation.objects.update_or_create(code=preset["code"], defaults=fields)
        for rule in preset["meetings"]:
            MeetingRule.objects.update_or_create(
                regulation=regulation, period=rule["period"], defaults={k: v for k, v in rule.items() if k != "period"}
            )
        MeetingRule.objects.filter(regulation=regulation).exclude(
            period__in=[r["period"] for r in preset["meetings"]]
        ).delete()
        if preset["protocol"]:
            ProtocolRule.objects.update_or_create(regulation=regulation, defaults=preset["protocol"])
        else:
            ProtocolRule.objects.filter(regulation=regulation).delete()
        for rule in preset["documents"]:
            values = {**DOCUMENT_DEFAULTS, **{k: v for k, v in rule.items() if k != "document"}}
            DocumentRule.objects.update_or_create(regulation=regulation, document=rule["document"], defaults=values)
        DocumentRule.objects.filter(regulation=regulation).exclude(
            document__in=[r["document"] for r in preset["documents"]]
        ).delete()
        for rule in preset["windows"]:
            values = {"covers_next_year": False, **{k: v for k, v in rule.items() if k != "document"}}
            PublicationWindow.objects.update_or_create(
                regulation=regulation, document=rule["document"], defaults=values
            )
        PublicationWindow.objects.filter(regulation=regulation).exclude(
            document__in=[r["document"] for r in preset["windows"]]
        ).delete()
