"""The four seed districts as the first migration loaded them (frozen: later migrations change these models).

An administrator copies a preset and edits the copy; a new district describes itself with new rows.
`presets_load(apps)` works with any app registry: the data migration passes its historical one, the demo
and the tests pass Django's. If a later migration changes these models, freeze a copy of this module into
the migration that needs the old shape.
"""

PRESETS = [
    {
        "code": "pechora-rmo",
        "title": "Положение о районном методическом объединении",
        "district": "Печорский район",
        "body_kind": "association",
        "source": "seed 000 (должностная инструкция руководителя РМО), seed 001 (положение о РМО)",
        "summary": "Заседание не реже раза в четверть; протокол ведёт секретарь; план — в начале учебного года; "
        "отчёт в ИАЦ до 10 июня; база педагогов ведётся; руководитель — высшее педагогическое образование, "
        "высшая категория, стаж от 5 лет, назначается приказом.",
        "teacher_database_due": "",
        "leader_min_category": "highest",
        "leader_min_years": 5,
        "leader_higher_pedagogical": True,
        "leader_appointment": "order",
        "meetings": [("term", 1, False, "seed 001 п. 11: не реже 1 раза в четверть")],
        "protocol": {"kept_by_secretary": True, "signed_by_leader": True, "signed_by_secretary": False,
                     "note": "seed 001 п. 12: протоколы ведёт секретарь"},
        "documents": [
            ("work_plan", "after_start", None, None, 14, "ИАЦ РУО", False,
             "seed 001 п. 16: план — в начале учебного года (срок не назван; 14 дней по умолчанию)"),
            ("annual_report", "fixed_day", 6, 10, None, "ИАЦ РУО", False,
             "seed 000 п. 2: отчёт о деятельности РМО за учебный год до 10 июня"),
        ],
        "windows": [],
    },
    {
        "code": "kurchaloy-oms",
        "title": "Положение об Отделе методического сопровождения",
        "district": "Курчалоевский район",
        "body_kind": "service",
        "source": "seed 002",
        "summary": "Методическая служба: руководитель, методисты, методический совет, творческие и экспертные "
        "группы, банк педагогического опыта. Правил для объединений не задаёт.",
        "teacher_database_due": "",
        "leader_min_category": "",
        "leader_min_years": 0,
        "leader_higher_pedagogical": False,
        "leader_appointment": "order",
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
        "source": "seed 003",
        "summary": "Не менее 4 заседаний в учебный год под председательством руководителя, с протоколом; план на "
        "учебный год; анализ и портфолио в конце мая; самооценка в мае–июне; руководитель — первая или высшая "
        "категория, назначается приказом.",
        "teacher_database_due": "",
        "leader_min_category": "first",
        "leader_min_years": 0,
        "leader_higher_pedagogical": False,
        "leader_appointment": "order",
        "meetings": [("year", 4, False, "seed 003 п. 4.2: не менее 4 раз в учебный год")],
        "protocol": {"kept_by_secretary": False, "signed_by_leader": True, "signed_by_secretary": False,
                     "note": "seed 003 п. 4.2: под председательством руководителя, с ведением протокола"},
        "documents": [
            ("work_plan", "after_start", None, None, 14, "отдел по образованию", False,
             "seed 003: план на учебный год (срок не назван; 14 дней принято по умолчанию)"),
            ("annual_report", "fixed_day", 5, 31, None, "отдел по образованию", False,
             "seed 003 п. 4.4: анализ деятельности по окончании учебного года (конец мая)"),
            ("portfolio", "fixed_day", 5, 31, None, "отдел по образованию", False,
             "seed 003 п. 4.4: портфолио объединения (конец мая)"),
            ("self_assessment", "fixed_day", 6, 30, None, "", False,
             "seed 003 п. 5.7: самооценка качества работы в конце учебного года (май–июнь)"),
        ],
        "windows": [],
    },
    {
        "code": "vilyuisk-umo",
        "title": "Положение об улусном методическом объединении",
        "district": "Вилюйский улус",
        "body_kind": "association",
        "source": "seed 004",
        "summary": "Заседание не реже раза в полугодие по опубликованному графику; протокол в 3 дня, подписи "
        "руководителя и секретаря, скан на сайте; проект плана к 15 мая, обсуждение, голосование и утверждение к "
        "20 июня, публикация 20–30 августа; отчёт в УУО до 20 июня, публикация 20–30 июня; записка в НМЦ до "
        "28-го числа последнего месяца квартала; база педагогов к 25 сентября; руководитель — первая или высшая "
        "категория, избирается или назначается, утверждается приказом.",
        "teacher_database_due": "25.09",
        "leader_min_category": "first",
        "leader_min_years": 0,
        "leader_higher_pedagogical": False,
        "leader_appointment": "election",
        "leader_replace_after_months": 3,
        "composition_by_order": True,
        "meetings": [("half_year", 1, True, "seed 004 п. 4.2: не реже 1 раза в полугодие, по графику на сайте")],
        "protocol": {"days_after_meeting": 3, "kept_by_secretary": True, "signed_by_leader": True,
                     "signed_by_secretary": True, "scan_published": True,
                     "note": "seed 004 п. 4.2: не позднее трёх дней, подписи руководителя и секретаря, скан на сайте"},
        "documents": [
            ("plan_draft", "fixed_day", 5, 15, None, "дистанционный форум", False,
             "seed 004 п. 6.12: проект плана для обсуждения не позднее 15 мая"),
            ("work_plan", "fixed_day", 6, 20, None, "УУО", True,
             "seed 004 п. 6.12: обсуждение, голосование и утверждение до 20 июня"),
            ("annual_report", "fixed_day", 6, 20, None, "УУО", False,
             "seed 004 п. 6.4: аналитический отчёт в УУО до 20 июня"),
            ("quarterly_note", "quarter_end", None, 28, None, "НМЦ", False,
             "seed 004 п. 6.7: до 28 числа последнего месяца квартала"),
        ],
        "windows": [
            ("annual_report", "20.06", "30.06", "seed 004: отчёт публикуется 20–30 июня"),
            ("work_plan", "20.08", "30.08", "seed 004: план публикуется 20–30 августа"),
        ],
    },
]  # fmt: skip

RULE_KEYS = ("meetings", "protocol", "documents", "windows")


def presets_load(apps) -> None:
    """Create or reset the preset regulations and their rules."""
    Regulation = apps.get_model("associations", "Regulation")
    MeetingRule = apps.get_model("associations", "MeetingRule")
    ProtocolRule = apps.get_model("associations", "ProtocolRule")
    DocumentRule = apps.get_model("associations", "DocumentRule")
    PublicationWindow = apps.get_model("associations", "PublicationWindow")
    for preset in PRESETS:
        fields = {k: v for k, v in preset.items() if k not in RULE_KEYS and k != "code"}
        regulation, _ = Regulation.objects.update_or_create(code=preset["code"], defaults=fields)
        regulation.meeting_rules.all().delete()
        regulation.document_rules.all().delete()
        regulation.publication_windows.all().delete()
        ProtocolRule.objects.filter(regulation=regulation).delete()
        for period, count, schedule, note in preset["meetings"]:
            MeetingRule.objects.create(
                regulation=regulation, period=period, min_count=count, by_published_schedule=schedule, note=note
            )
        if preset["protocol"]:
            ProtocolRule.objects.create(regulation=regulation, **preset["protocol"])
        for document, rule, month, day, days, recipient, vote, note in preset["documents"]:
            DocumentRule.objects.create(
                regulation=regulation, document=document, date_rule=rule, month=month, day=day, days=days,
                recipient=recipient, discussion_and_vote=vote, note=note,
            )  # fmt: skip
        for document, start, end, note in preset["windows"]:
            PublicationWindow.objects.create(
                regulation=regulation, document=document, from_day=start, to_day=end, note=note
            )
