"""Every URL the resolver knows × every role: the status each role gets, written down in one table.

A new URL pattern without a row in EXPECTED fails `test_every_url_has_an_expected_row`, so no view ships
without a rule. To add a URL: one line in EXPECTED (use a named row below, or `row(...)`), and, if the
pattern takes arguments, one line in KWARGS that picks them from the `world` fixture.

302 for anonymous = sent to log in; 404 = the object is out of the user's scope; 403 = in scope, no right;
405 = GET of a POST-only action (the POST would be allowed or refused the same way: 403/404 come first).
"""

import datetime
from types import SimpleNamespace
from urllib.parse import urlparse

import pytest
import time_machine
from django.conf import settings
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from associations.models import Membership, MembershipInvitation, Order, OrderAttachment
from associations.tests.factories import AssociationFactory, MembershipFactory
from meetings.feeds import calendar_feed_renew
from meetings.models import EventMaterial
from meetings.tests.factories import EventFactory
from members import importer
from members.models import ChangeRequest, ImportJob, Invitation
from members.tests.factories import (
    TeacherFactory,
    TrainingCourseFactory,
    UserFactory,
    district_head,
    give_consent,
    methodist,
    portal_admin,
)
from reports.models import Obligation
from rmo_portal.files import stored_file_from_bytes
from rmo_portal.models import ExportJob, Notification
from rmo_portal.services import heartbeat_record

ROLES = (
    "anonymous",
    "teacher",  # a plain teacher with a profile, in no association
    "secretary",  # secretary of association A
    "member",  # member of A; the profile, course, change request below are hers
    "leader",  # leader of A
    "other_leader",  # leader of association B, not of A
    "curator",  # methodist curating A (and drafter of the orders below)
    "other_methodist",  # methodist curating B, not A
    "head",  # role district_head
    "admin",  # role admin
)


def row(*, default: int, **cells: int) -> dict[str, int]:
    """The expected status for every role: `default`, except the roles named."""
    unknown = set(cells) - set(ROLES)
    assert not unknown, f"unknown roles in a row: {sorted(unknown)}"
    return {role: cells.get(role, default) for role in ROLES}


def post_only(expected: dict[str, int]) -> dict[str, int]:
    """The same rule for a POST-only action: where the POST would be let in, GET gets 405."""
    return {role: 405 if code == 200 else code for role, code in expected.items()}


SERVICE = {"curator": 200, "other_methodist": 200, "head": 200, "admin": 200}
NO_PROFILE = {"curator": 404, "other_methodist": 404, "head": 404, "admin": 404}

public = row(default=200)
signed_in = row(anonymous=302, default=200)
anonymous_only = row(anonymous=200, default=302)  # signed-in users are sent to their start page
service_only = row(anonymous=302, default=403, **SERVICE)
methodists_and_admin = row(anonymous=302, default=403, curator=200, other_methodist=200, admin=200)
head_only = row(anonymous=302, default=403, head=200)
teacher_lists = row(anonymous=302, default=403, leader=200, other_leader=200, **SERVICE)
reviewers = row(anonymous=302, default=403, leader=200, other_leader=200, curator=200, other_methodist=200, admin=200)
# Pages about one's own profile: the service accounts have none (404).
own_profile = row(anonymous=302, default=200, **NO_PROFILE)
# The member's profile and files: herself, the leader of her association and the service; others do not find it.
member_profile = row(anonymous=302, default=200, teacher=404, secretary=404, other_leader=404)
# Reviewing the member's profile: those who see it, less herself and the head (who sees but does not review).
member_review = member_profile | {"member": 403, "head": 403}
# The draft order of the curator: she and the administrator edit it.
order_editors = row(anonymous=302, default=403, curator=200, admin=200)
# The list the curator uploaded for import: hers and the administrator's; nobody else finds it.
curators_upload = row(anonymous=302, default=404, curator=200, admin=200)
# The composition of association A: its leader, its curator, the administrator.
composition_of_a = row(anonymous=302, default=403, leader=200, curator=200, admin=200)
# An unpublished event of association A: its members and the service see it, the rest do not find it…
event_of_a_seen = row(anonymous=302, default=200, teacher=404, other_leader=404)
# …and its leader and the methodists and the administrator manage it.
event_of_a_managed = event_of_a_seen | {"secretary": 403, "member": 403, "head": 403}

# Association A's meetings and protocols: its members and the service see them; strangers do not find them.
a_insiders = row(anonymous=302, default=200, teacher=404, other_leader=404)
# Planning A's meetings: its leader, its curator and the administrator; the rest of A's people and the service: 403.
a_planners = row(anonymous=302, default=403, teacher=404, other_leader=404, leader=200, curator=200, admin=200)
# Keeping A's minutes (attendance, decisions, the protocol's text): its leader and its secretary.
a_minutes = row(anonymous=302, default=403, teacher=404, other_leader=404, leader=200, secretary=200)

EXPECTED: dict[str, dict[str, int]] = {
    # rmo_portal/urls.py
    "home": anonymous_only,
    "start": row(default=302),  # anonymous to log in, the rest to their start page
    "start_head": head_only,
    "start_methodist": row(anonymous=302, default=403, curator=200, other_methodist=200),
    "start_leader": row(anonymous=302, default=403, leader=200, other_leader=200),
    "start_secretary": row(anonymous=302, default=403, secretary=200),
    "start_teacher": signed_in,
    "start_admin": row(anonymous=302, default=403, admin=200),
    # associations/setup_urls.py: the first-run setup, the administrator's only.
    "setup": row(anonymous=302, default=403, admin=200),
    "setup_step": row(anonymous=302, default=403, admin=200),
    "setup_finish": post_only(row(anonymous=302, default=403, admin=200)),
    "healthz": public,
    # Background files: «Мои выгрузки» for everyone signed in; a job and its file for its owner only.
    "export_list": signed_in,
    "export_job": row(anonymous=302, default=404, curator=200),
    "export_download": row(anonymous=302, default=404, curator=200),
    # Notifications (rmo_portal.notification_views): one's own for everyone signed in; a notification (the member's)
    # only for its owner, whom its link sends on to the page it names; failed letters for the administrator.
    "notifications": signed_in,
    "notifications_read": post_only(signed_in),
    "notification_open": row(anonymous=302, default=404, member=302),
    "notification_read": post_only(row(anonymous=302, default=404, member=200)),
    "notification_settings": signed_in,
    "notifications_failed": row(anonymous=302, default=403, admin=200),
    "notification_resend": post_only(row(anonymous=302, default=403, admin=200)),
    # accounts/ (django.contrib.auth.urls and the two overrides in rmo_portal/urls.py)
    "login": anonymous_only,
    "logout": row(default=405),  # POST-only since Django 5
    "password_change": signed_in,
    "password_change_done": signed_in,
    "password_reset": public,
    "password_reset_done": public,
    "password_reset_confirm": public,  # a bad token shows «ссылка недействительна»
    "password_reset_complete": public,
    # members/urls.py
    "members:teacher_list": teacher_lists,
    # Starting the export sends the user on to the job's page.
    "members:teacher_export": {role: 302 if code == 200 else code for role, code in teacher_lists.items()},
    "members:attestation_schedule": teacher_lists,
    "members:training_schedule": teacher_lists,
    "members:teacher_import": methodists_and_admin,
    "members:import_job": curators_upload,
    "members:import_job_confirm": post_only(curators_upload),
    "members:import_job_rejected": curators_upload,
    "members:teacher_detail": member_profile,
    "members:teacher_history": member_profile,
    "members:teacher_file": member_profile,
    "members:teacher_check": post_only(member_review),
    "members:review_queue": reviewers,
    "members:change_review": member_review,
    "members:change_evidence": member_profile,
    "members:me": row(default=302, **NO_PROFILE),  # a teacher is sent on to her own profile
    "members:contacts": own_profile,
    "members:change_request": own_profile,
    # The member's returned request: only she finds it, to correct and send again.
    "members:change_request_again": row(anonymous=302, default=404, member=200),
    "members:confirm": row(anonymous=302, default=405),
    "members:profile_views": own_profile,
    "members:consent": signed_in,
    # Invitations (members/invitation_views.py): the service sees the list; methodists and the administrator send.
    # A made-up link and the password page without an opened invitation answer «Приглашение недействительно».
    "members:invitation_list": service_only,
    "members:invitation_new": methodists_and_admin,
    "members:invitation_resend": post_only(methodists_and_admin),
    "members:import_job_invite": post_only(curators_upload),
    "members:invitation_code": public,
    "members:invitation_password": row(default=410),
    "members:invitation_open": row(default=410),
    # associations/urls.py
    "associations:list": public,
    "associations:list_pdf": row(default=302),  # anonymous to log in; the rest on to the job's page
    "associations:detail": public,
    "associations:member_add": post_only(composition_of_a),
    "associations:member_end": composition_of_a,  # GET asks to confirm
    # The invitation of `teacher` into A: only she finds it; her leader-to-be only asks the curator to approve.
    "associations:invitation_accept": row(anonymous=302, default=404, teacher=200),
    "associations:invitation_decline": row(anonymous=302, default=404, teacher=200),
    "associations:invitation_approve": row(anonymous=302, default=403, curator=200, admin=200),
    "associations:order_list": service_only,
    "associations:order_create": methodists_and_admin,
    "associations:order_detail": service_only,
    "associations:order_update": order_editors,
    "associations:order_submit": post_only(order_editors),
    "associations:order_sign": post_only(head_only),
    "associations:order_return": post_only(head_only),
    "associations:order_revoke": post_only(head_only),
    "associations:order_pdf": service_only,
    "associations:order_attach": post_only(order_editors),
    "associations:order_attachment": service_only,
    "associations:regulation_list": service_only,
    "associations:regulation_detail": service_only,
    # meetings/urls.py (A's schedule is not published: its regulation publishes none)
    "meetings:schedule": row(anonymous=302, default=200, teacher=403, other_leader=403),
    "meetings:schedule_approve": post_only(row(anonymous=302, default=403, leader=200)),
    "meetings:create": row(anonymous=302, default=403, leader=200, curator=200, admin=200),
    "meetings:detail": a_insiders,
    "meetings:update": a_planners,
    "meetings:cancel": post_only(a_planners),
    "meetings:invite": post_only(a_planners),
    "meetings:item_add": post_only(a_minutes | {"curator": 200}),
    "meetings:item_delete": post_only(a_minutes | {"curator": 200}),
    "meetings:item_move": post_only(a_minutes | {"curator": 200}),
    "meetings:material_add": post_only(a_minutes | {"curator": 200}),
    "meetings:material": a_insiders,
    "meetings:decision_add": post_only(a_minutes),
    "meetings:decision_done": post_only(a_minutes | {"member": 200}),  # the member is the one responsible
    "meetings:decision_binding": post_only(a_minutes | {"secretary": 403}),
    "meetings:attendance": a_minutes,
    "meetings:guest_add": post_only(a_minutes),
    "meetings:guest_remove": post_only(a_minutes),
    "meetings:protocol_start": post_only(a_minutes),
    "meetings:protocol": a_insiders,
    "meetings:protocol_edit": a_minutes,  # the draft protocol
    "meetings:protocol_submit": post_only(a_minutes),
    "meetings:protocol_withdraw": post_only(a_minutes),  # the protocol on signature
    "meetings:protocol_sign": post_only(a_insiders),  # whoever sees it; the service says why not, if not theirs
    "meetings:protocol_return": post_only(
        row(anonymous=302, default=403, teacher=404, other_leader=404, curator=200, admin=200)
    ),
    "meetings:protocol_accept": post_only(
        row(anonymous=302, default=403, teacher=404, other_leader=404, curator=200, admin=200)
    ),
    "meetings:protocol_correct": post_only(a_minutes),
    "meetings:protocol_scan": post_only(a_minutes),
    "meetings:protocol_scan_file": a_insiders,
    "meetings:protocol_pdf": a_insiders,
    "meetings:protocol_version": a_insiders,
    # meetings/event_urls.py: the calendar is public; the event below is A's, unpublished, drafted by the curator.
    "meetings:event_list": public,
    "meetings:event_month": public,
    "meetings:event_create": row(
        anonymous=302, default=403, leader=200, other_leader=200, curator=200, other_methodist=200, admin=200
    ),
    "meetings:event_detail": event_of_a_seen,
    "meetings:event_material": event_of_a_seen,
    "meetings:event_update": event_of_a_managed,
    "meetings:event_participants": event_of_a_managed,
    "meetings:event_participants_import": event_of_a_managed,
    "meetings:event_publish": post_only(event_of_a_managed),
    "meetings:event_unpublish": post_only(event_of_a_managed),
    "meetings:event_material_add": post_only(event_of_a_managed),
    "meetings:event_material_remove": post_only(event_of_a_managed),
    # The public check of a signature code (rmo_portal.views.VerifyView).
    "verify": public,
    # meetings/feed_urls.py: «Календарь в телефоне» for everyone signed in; the feed by its secret token only.
    "meetings:calendar": signed_in,
    "meetings:calendar_renew": post_only(signed_in),
    "meetings:calendar_feed": public,
    # reports/urls.py: A's work plan (a draft) and its annual report (submitted to the curator).
    "reports:public": public,
    "reports:public_search": public,
    "reports:documents": row(anonymous=302, default=200, teacher=403, other_leader=403),
    "reports:create": post_only(row(anonymous=302, default=403, leader=200)),
    "reports:review_queue": service_only,
    "reports:mentorship_add": post_only(row(anonymous=302, default=403, leader=200)),
    "reports:mentorship_remove": post_only(row(anonymous=302, default=403, leader=200)),
    # Starting the summary sends the user on to the job's page.
    "reports:summary": {role: 302 if code == 200 else code for role, code in service_only.items()},
    "reports:detail": a_insiders,
    "reports:edit": a_minutes,
    "reports:discussion_open": post_only(row(anonymous=302, default=403, teacher=404, other_leader=404, leader=200)),
    "reports:comment": post_only(row(anonymous=302, default=403, teacher=404, other_leader=404, curator=200)),
    "reports:vote": post_only(row(anonymous=302, default=403, teacher=404, other_leader=404)),
    "reports:submit": post_only(row(anonymous=302, default=403, teacher=404, other_leader=404, leader=200)),
    "reports:return": post_only(row(anonymous=302, default=403, teacher=404, other_leader=404, curator=200, admin=200)),
    "reports:accept": post_only(row(anonymous=302, default=403, teacher=404, other_leader=404, curator=200, admin=200)),
    "reports:approval": post_only(row(anonymous=302, default=403, teacher=404, other_leader=404, leader=200)),
    "reports:versions": a_insiders,
    "reports:pdf": a_insiders,
    # The deadline dashboards: the grid and its export for the service; A's overdue plan for A's people and the
    # service; waiving it for its curator and the administrator.
    "reports:deadlines": service_only,
    "reports:deadlines_export": {role: 302 if code == 200 else code for role, code in service_only.items()},
    "reports:obligation": a_insiders,
    "reports:obligation_waive": post_only(
        row(anonymous=302, default=403, teacher=404, other_leader=404, curator=200, admin=200)
    ),
}
# Registered only when BENCH_CEILING is on (bench/run): the benchmark's ceiling, open to everyone.
if settings.BENCH_CEILING:
    EXPECTED["bench_ceiling"] = public

# URL name → its kwargs, from the world below; patterns without arguments need no line.
KWARGS = {
    "password_reset_confirm": lambda w: {"uidb64": "MQ", "token": "not-a-token"},
    "export_job": lambda w: {"pk": w.export_job.pk},
    "export_download": lambda w: {"pk": w.export_job.pk},
    "notification_open": lambda w: {"pk": w.notification.pk},
    "notification_read": lambda w: {"pk": w.notification.pk},
    "notification_resend": lambda w: {"pk": w.failed_notification.pk},
    "members:import_job": lambda w: {"pk": w.import_job.pk},
    "members:import_job_confirm": lambda w: {"pk": w.import_job.pk},
    "members:import_job_rejected": lambda w: {"pk": w.import_job.pk},
    "members:import_job_invite": lambda w: {"pk": w.import_job.pk},
    "members:invitation_resend": lambda w: {"pk": w.teacher_invitation.pk},
    "members:invitation_open": lambda w: {"token": "not-a-token"},
    "members:teacher_detail": lambda w: {"pk": w.profile.pk},
    "members:teacher_history": lambda w: {"pk": w.profile.pk},
    "members:teacher_file": lambda w: {"pk": w.profile.pk, "kind": "course", "item": w.course.pk},
    "members:teacher_check": lambda w: {"pk": w.profile.pk},
    "members:change_review": lambda w: {"pk": w.change.pk},
    "members:change_evidence": lambda w: {"pk": w.change.pk},
    "members:change_request": lambda w: {"kind": "course"},
    "members:change_request_again": lambda w: {"pk": w.returned_change.pk},
    "associations:detail": lambda w: {"pk": w.association.pk},
    "associations:member_add": lambda w: {"pk": w.association.pk},
    "associations:member_end": lambda w: {"pk": w.membership.pk},
    "associations:invitation_accept": lambda w: {"pk": w.invitation.pk},
    "associations:invitation_decline": lambda w: {"pk": w.invitation.pk},
    "associations:invitation_approve": lambda w: {"pk": w.invitation.pk},
    "associations:order_detail": lambda w: {"pk": w.draft.pk},
    "associations:order_update": lambda w: {"pk": w.draft.pk},
    "associations:order_submit": lambda w: {"pk": w.draft.pk},
    "associations:order_sign": lambda w: {"pk": w.awaiting.pk},
    "associations:order_return": lambda w: {"pk": w.awaiting.pk},
    "associations:order_revoke": lambda w: {"pk": w.signed.pk},
    "associations:order_pdf": lambda w: {"pk": w.signed.pk},
    "associations:order_attach": lambda w: {"pk": w.draft.pk},
    "associations:order_attachment": lambda w: {"pk": w.signed.pk, "item": w.attachment.pk},
    "associations:regulation_detail": lambda w: {"pk": w.association.regulation_id},
    "meetings:schedule": lambda w: {"association": w.association.pk, "year": 2026},
    "meetings:schedule_approve": lambda w: {"association": w.association.pk, "year": 2026},
    "meetings:create": lambda w: {"association": w.association.pk},
    "meetings:detail": lambda w: {"pk": w.held.pk},
    "meetings:update": lambda w: {"pk": w.planned.pk},
    "meetings:cancel": lambda w: {"pk": w.planned.pk},
    "meetings:invite": lambda w: {"pk": w.planned.pk},
    "meetings:item_add": lambda w: {"pk": w.planned.pk},
    "meetings:item_delete": lambda w: {"pk": w.planned.pk, "item": w.planned_item.pk},
    "meetings:item_move": lambda w: {"pk": w.planned.pk, "item": w.planned_item.pk},
    "meetings:material_add": lambda w: {"pk": w.planned.pk, "item": w.planned_item.pk},
    "meetings:material": lambda w: {"pk": w.held.pk, "material": w.material.pk},
    "meetings:decision_add": lambda w: {"pk": w.held.pk, "item": w.held_item.pk},
    "meetings:decision_done": lambda w: {"pk": w.held.pk, "decision": w.decision.pk},
    "meetings:decision_binding": lambda w: {"pk": w.held.pk, "decision": w.decision.pk},
    "meetings:attendance": lambda w: {"pk": w.held.pk},
    "meetings:guest_add": lambda w: {"pk": w.held.pk},
    "meetings:guest_remove": lambda w: {"pk": w.held.pk, "guest": w.guest.pk},
    "meetings:protocol_start": lambda w: {"pk": w.held.pk},
    "meetings:protocol": lambda w: {"pk": w.signed_protocol.pk},
    "meetings:protocol_edit": lambda w: {"pk": w.draft_protocol.pk},
    "meetings:protocol_submit": lambda w: {"pk": w.draft_protocol.pk},
    "meetings:protocol_withdraw": lambda w: {"pk": w.signing_protocol.pk},
    "meetings:protocol_sign": lambda w: {"pk": w.signing_protocol.pk},
    "meetings:protocol_return": lambda w: {"pk": w.signed_protocol.pk},
    "meetings:protocol_accept": lambda w: {"pk": w.signed_protocol.pk},
    "meetings:protocol_correct": lambda w: {"pk": w.signed_protocol.pk},
    "meetings:protocol_scan": lambda w: {"pk": w.signed_protocol.pk},
    "meetings:protocol_scan_file": lambda w: {"pk": w.signed_protocol.pk},
    "meetings:protocol_pdf": lambda w: {"pk": w.signed_protocol.pk},
    "meetings:protocol_version": lambda w: {"pk": w.signed_protocol.pk, "number": 1},
    "meetings:event_detail": lambda w: {"pk": w.event.pk},
    "meetings:event_material": lambda w: {"pk": w.event.pk, "item": w.event_material.pk},
    "meetings:event_update": lambda w: {"pk": w.event.pk},
    "meetings:event_participants": lambda w: {"pk": w.event.pk},
    "meetings:event_participants_import": lambda w: {"pk": w.event.pk},
    "meetings:event_publish": lambda w: {"pk": w.event.pk},
    "meetings:event_unpublish": lambda w: {"pk": w.event.pk},
    "meetings:event_material_add": lambda w: {"pk": w.event.pk},
    "meetings:event_material_remove": lambda w: {"pk": w.event.pk, "item": w.event_material.pk},
    "meetings:calendar_feed": lambda w: {"token": calendar_feed_renew(user=w.users["member"]).token},
}

KWARGS.update(
    {
        "setup_step": lambda w: {"step": "district"},
        "reports:documents": lambda w: {"association": w.association.pk, "year": 2026},
        "reports:mentorship_add": lambda w: {"association": w.association.pk, "year": 2026},
        "reports:mentorship_remove": lambda w: {"pk": w.pair.pk},
        "reports:create": lambda w: {"association": w.association.pk, "year": 2026},
        "reports:detail": lambda w: {"pk": w.plan.pk},
        "reports:edit": lambda w: {"pk": w.plan.pk},
        "reports:discussion_open": lambda w: {"pk": w.plan.pk},
        "reports:comment": lambda w: {"pk": w.plan.pk},
        "reports:vote": lambda w: {"pk": w.plan.pk},
        "reports:submit": lambda w: {"pk": w.plan.pk},
        "reports:return": lambda w: {"pk": w.report.pk},
        "reports:accept": lambda w: {"pk": w.report.pk},
        "reports:versions": lambda w: {"pk": w.report.pk},
        "reports:approval": lambda w: {"pk": w.plan.pk},
        "reports:pdf": lambda w: {"pk": w.report.pk},
        "reports:obligation": lambda w: {"pk": w.obligation.pk},
        "reports:obligation_waive": lambda w: {"pk": w.obligation.pk},
    }
)

# Django's admin has its own permission system (is_staff, model permissions), tested by Django itself.
EXCLUDED_NAMESPACES = {"admin"}


def _excluded_route(route: str) -> bool:
    """Static and media files (served by whitenoise / the web server, or by runserver in DEBUG)."""
    prefixes = [settings.STATIC_URL, settings.MEDIA_URL]
    return any(p and route.lstrip("^").startswith(p.lstrip("/")) for p in prefixes)


def resolver_patterns(patterns=None, namespace: str = "", prefix: str = ""):
    """(full name, route) of every URL pattern, walking includes with their namespaces."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if _excluded_route(route):
            continue
        if isinstance(pattern, URLResolver):
            if pattern.namespace in EXCLUDED_NAMESPACES:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from resolver_patterns(pattern.url_patterns, inner, route)
        elif isinstance(pattern, URLPattern):
            yield (f"{namespace}{pattern.name}" if pattern.name else f"<unnamed {route}>"), route


def url_names() -> list[str]:
    return list(dict.fromkeys(name for name, _ in resolver_patterns()))


def test_every_url_has_an_expected_row():
    missing = [name for name in url_names() if name not in EXPECTED]
    assert not missing, f"URL patterns without a row in EXPECTED (add one per URL): {missing}"


def test_every_row_names_a_url_and_has_its_arguments():
    routes = dict(resolver_patterns())
    stale = [name for name in EXPECTED if name not in routes]
    assert not stale, f"rows in EXPECTED for URLs that no longer exist: {stale}"
    needs_kwargs = [name for name, route in routes.items() if "<" in route and name not in KWARGS]
    assert not needs_kwargs, f"URL patterns with arguments but no line in KWARGS: {needs_kwargs}"


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def small_pdf(name: str):
    """A real stored file, so that the roles that may see it get 200 rather than a 404 for a missing file."""
    return stored_file_from_bytes(name=name, content=PDF, use="evidence")


def previewed_list(*, by) -> ImportJob:
    """A list `by` uploaded, read by the worker: its preview has a good row and a rejected one."""
    content = "Ф.И.О.;Образовательное учреждение\nПетрова Мария Ивановна;СОШ № 1\nИванова;\n".encode()
    plan = importer.plan_import(importer.read_table("spisok.csv", content))
    return ImportJob.objects.create(
        file_name="spisok.csv", status=ImportJob.Status.PREVIEW, progress=100, preview=importer.plan_to_json(plan),
        created_by=by,
    )  # fmt: skip


def ready_export(*, by) -> ExportJob:
    """A file the curator ordered, made and kept: hers only."""
    stored = stored_file_from_bytes(name="associations.pdf", content=PDF, use="export", by=by)
    return ExportJob.objects.create(
        owner=by, kind="associations_pdf", title="Объединения", status=ExportJob.Status.DONE, result=stored
    )


def meetings_of(association, users) -> dict:
    """A's meetings: a planned one with an item; three held, with a draft, a signing and a signed protocol."""

    from meetings import services as meeting_services

    leader, secretary, member = users["leader"], users["secretary"], users["member"]

    def held(day: int):
        meeting = meeting_services.meeting_plan(
            association=association, by=leader, topic="Итоги", place="СОШ № 1",
            starts_at=timezone.make_aware(datetime.datetime(2026, 11, day, 15)),
        )  # fmt: skip
        item = meeting_services.agenda_item_save(meeting=meeting, by=leader, title="Вопрос")
        meeting_services.attendance_save(meeting=meeting, by=secretary, marks={})
        meeting_services.protocol_save(
            protocol=(protocol := meeting_services.protocol_start(meeting=meeting, by=secretary)), by=secretary,
            revision=protocol.revision, place="СОШ № 1", chair_name="", secretary_name="",
            items={item.pk: {"decided": "Принять к сведению"}},
        )  # fmt: skip
        return meeting, item, protocol

    planned = meeting_services.meeting_plan(
        association=association, by=leader, topic="Будущее", place="СОШ № 1",
        starts_at=timezone.make_aware(datetime.datetime(2026, 12, 10, 15)),
    )  # fmt: skip
    meeting, held_item, draft = held(10)
    _, _, signing = held(12)
    _, _, signed = held(14)
    meeting_services.protocol_submit(protocol=signing, by=secretary)
    signed = meeting_services.protocol_submit(protocol=signed, by=secretary)
    for signer in (leader, secretary):  # as many as A's regulation asks for
        if signed.status == "signing":
            signed = meeting_services.protocol_sign(protocol=signed, by=signer, password="пароль-для-тестов-1")
    assert signed.status == "signed"
    signed.scan = small_pdf("protokol.pdf")
    signed.save()
    material = meeting_services.agenda_material_add(
        item=held_item, upload=_upload("doklad.pdf"), title="Доклад", by=leader
    )
    return {
        "planned": planned,
        "planned_item": meeting_services.agenda_item_save(meeting=planned, by=leader, title="Вопрос"),
        "held": meeting,
        "held_item": held_item,
        "material": material,
        "guest": meeting_services.guest_add(meeting=meeting, by=secretary, name="Гостева И. И."),
        "decision": meeting_services.decision_add(item=held_item, by=secretary, text="Сделать", responsible=member),
        "draft_protocol": draft,
        "signing_protocol": signing,
        "signed_protocol": signed,
    }


def filings_of(association, users) -> dict:
    """A's work plan for 2026/27 (a draft) and its annual report, submitted to the curator."""
    from associations.models import Document
    from reports import services as report_services

    leader = users["leader"]
    plan = report_services.filing_create(
        association=association, kind=Document.WORK_PLAN, academic_year=2026, by=leader
    )
    report = report_services.filing_create(
        association=association, kind=Document.ANNUAL_REPORT, academic_year=2026, by=leader
    )
    report = report_services.filing_submit(filing=report, by=leader)
    pair = report_services.mentorship_save(
        association=association, academic_year=2026, mentee=users["member"], mentor=users["secretary"], by=leader
    )
    return {"plan": plan, "report": report, "pair": pair}


def _upload(name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Associations A and B with their people, a profile with files, orders: built once, rolled back after."""
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media")))
    # Memberships start on 1 Sep 2026: a fixed day in that academic year, whatever day the suite runs.
    clock = time_machine.travel(datetime.datetime(2026, 11, 24, 10, tzinfo=datetime.UTC), tick=True)
    with media, clock, django_db_blocker.unblock(), transaction.atomic():
        association, other = AssociationFactory(), AssociationFactory()
        membership = MembershipFactory(association=association, user__username="url_member")
        users = {
            "anonymous": None,
            "teacher": UserFactory(username="url_teacher"),
            "secretary": MembershipFactory(
                association=association, role=Membership.Role.SECRETARY, user__username="url_secretary"
            ).user,
            "member": membership.user,
            "leader": MembershipFactory(
                association=association, role=Membership.Role.LEADER, user__username="url_leader"
            ).user,
            "other_leader": MembershipFactory(
                association=other, role=Membership.Role.LEADER, user__username="url_other_leader"
            ).user,
            "curator": methodist(username="url_curator"),
            "other_methodist": methodist(username="url_other_methodist"),
            "head": district_head(username="url_head"),
            "admin": portal_admin(username="url_admin"),
        }
        association.curators.add(users["curator"])
        other.curators.add(users["other_methodist"])
        profiles = {
            role: TeacherFactory(user=users[role])
            for role in ("teacher", "secretary", "member", "leader", "other_leader")
        }
        for user in users.values():
            if user is not None:
                give_consent(user)  # creates the ConsentDocument too, if a flush took the migration's row

        profile = profiles["member"]
        course = TrainingCourseFactory(teacher=profile)
        course.certificate = small_pdf("udostoverenie.pdf")
        course.save()
        change = ChangeRequest.objects.create(
            teacher=profile,
            kind=ChangeRequest.Kind.COURSE,
            data={"start_date": "2026-10-01", "end_date": "2026-10-10", "provider": "ИРО", "topic": "ФГОС",
                  "hours": 36},
            created_by=users["member"], evidence=small_pdf("scan.pdf"),
        )  # fmt: skip
        returned_change = ChangeRequest.objects.create(
            teacher=profile, kind=ChangeRequest.Kind.EDUCATION, status=ChangeRequest.Status.RETURNED,
            data={"level": "higher", "institution": "ЯГУ", "year": 2005, "speciality": "", "is_pedagogical": True},
            created_by=users["member"], decided_by=users["leader"], comment="Нет скана диплома",
        )  # fmt: skip

        common = {"kind": Order.Kind.OTHER, "title": "Приказ", "text": ".", "association": association,
                  "effective_date": datetime.date(2026, 12, 1), "drafted_by": users["curator"]}  # fmt: skip
        signed = Order.objects.create(
            status=Order.Status.SIGNED, number=1, number_year=2026, signed_on=datetime.date(2026, 11, 20),
            signed_by=users["head"], **common,
        )  # fmt: skip
        attachment = OrderAttachment.objects.create(order=signed, title="Список членов", file=small_pdf("spisok.pdf"))
        event = EventFactory(published=False, created_by=users["curator"])
        event.organisers.add(association)
        event_material = EventMaterial.objects.create(event=event, file=small_pdf("programma.pdf"))

        meetings = meetings_of(association, users)
        meetings.update(filings_of(association, users))
        meetings["obligation"] = Obligation.objects.create(
            association=association, rule_key="associations.documentrule:1", period_key="2026", kind="document",
            document="work_plan", what="план работы: 2026/27", academic_year=2026, due=datetime.date(2026, 11, 1),
            status=Obligation.Status.OVERDUE, owner=users["leader"], reviewer=users["curator"],
        )  # fmt: skip

        yield SimpleNamespace(
            **meetings,
            users=users,
            association=association,
            membership=membership,
            profile=profile,
            course=course,
            change=change,
            returned_change=returned_change,
            draft=Order.objects.create(**common),
            awaiting=Order.objects.create(status=Order.Status.AWAITING, **common),
            signed=signed,
            attachment=attachment,
            event=event,
            event_material=event_material,
            import_job=previewed_list(by=users["curator"]),
            export_job=ready_export(by=users["curator"]),
            notification=Notification.objects.create(
                recipient=users["member"], kind="workflow", subject="Принят: план работы", link=reverse("notifications")
            ),
            failed_notification=Notification.objects.create(
                recipient=users["member"],
                kind="workflow",
                subject="Принят: отчёт",
                by_mail=True,
                mail_failed_at=timezone.now(),
                mail_error="ConnectionRefusedError: SMTP недоступен",
                attempts=9,
            ),
            teacher_invitation=Invitation.objects.create(user=users["teacher"], created_by=users["curator"]),
            invitation=MembershipInvitation.objects.create(
                association=association, user=users["teacher"], invited_by=users["leader"]
            ),
        )
        transaction.set_rollback(True)


CELLS = [pytest.param(name, role, id=f"{name}[{role}]") for name in url_names() if name in EXPECTED for role in ROLES]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role"), CELLS)
def test_role_gets_the_expected_status(client, world, name, role):
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    heartbeat_record()  # /healthz and the administrator's page report a beat tick older than a few minutes
    response = client.get(reverse(name, kwargs=KWARGS[name](world) if name in KWARGS else None))
    if response.streaming:
        b"".join(response.streaming_content)  # read to the end: the client then closes the file
    expected = EXPECTED[name][role]
    assert response.status_code == expected, f"{name} as {role}: {response.status_code}, expected {expected}"
    if response.status_code == 302:
        target = urlparse(response["Location"]).path
        if user is None:
            assert target == reverse("login"), f"{name}: anonymous sent to {target}, not to log in"
        else:
            assert target not in (reverse("login"), reverse("members:consent")), f"{name} as {role}: sent to {target}"
