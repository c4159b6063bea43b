"""Who may do what with meetings, protocols and events: each action named once (STYLE.md §6).

Predicates take the object the action is on — an Association, a Meeting, a Protocol or an Event — and find
the association from it, so views ask `user.has_perm("meetings.mark_attendance", meeting)` with what they have.
"""

import rules

from associations.rules import is_curator, is_leader, is_member, is_secretary
from members.rules import is_methodist, is_portal_admin, is_service_staff


def association_of(obj):
    """The association an object belongs to (None for None)."""
    if obj is None:
        return None
    if hasattr(obj, "association"):
        return obj.association
    if hasattr(obj, "meeting"):
        return obj.meeting.association
    return obj  # an Association itself


def _on_association(predicate):
    @rules.predicate(name=f"{predicate.name}_of_object")
    def wrapped(user, obj=None) -> bool:
        association = association_of(obj)
        return association is not None and predicate.test(user, association)

    return wrapped


leads_it = _on_association(is_leader)
keeps_minutes = _on_association(is_secretary)
belongs = _on_association(is_member)
curates = _on_association(is_curator)


@rules.predicate
def meeting_planned(user, meeting) -> bool:
    return meeting is not None and meeting.status == "planned"


@rules.predicate
def protocol_editable(user, protocol) -> bool:
    return protocol is not None and protocol.status in ("draft", "returned")


@rules.predicate
def protocol_signed(user, protocol) -> bool:
    return protocol is not None and protocol.status == "signed"


@rules.predicate
def published(user, obj) -> bool:
    return bool(obj is not None and getattr(obj, "published", False))


@rules.predicate
def schedule_public(user, obj) -> bool:
    return bool(obj is not None and getattr(obj, "schedule_published", False))


@rules.predicate
def is_required_signer(user, protocol) -> bool:
    """The protocol is on signature and the regulation asks this person's signature (as leader or secretary)."""
    if protocol is None or protocol.status != "signing" or not user.is_authenticated:
        return False
    from .services import protocol_signer_roles

    return bool(protocol_signer_roles(protocol=protocol, user=user))


@rules.predicate
def organises_event(user, event) -> bool:
    """A leader of one of the event's organising associations (or its author)."""
    if event is None or not user.is_authenticated:
        return False
    if event.created_by_id == user.pk:
        return True
    return any(is_leader.test(user, association) for association in event.organisers.all())


plans = leads_it | curates | is_portal_admin
minutes = leads_it | keeps_minutes

rules.add_perm("meetings.view_schedule", is_service_staff | belongs | schedule_public)
rules.add_perm("meetings.plan_meetings", plans)
rules.add_perm("meetings.approve_schedule", leads_it)
rules.add_perm("meetings.view_meeting", is_service_staff | belongs | schedule_public)
rules.add_perm("meetings.edit_meeting", plans & meeting_planned)
rules.add_perm("meetings.invite", plans & meeting_planned)
rules.add_perm("meetings.edit_agenda", minutes | curates)
rules.add_perm("meetings.mark_attendance", minutes)
rules.add_perm("meetings.manage_decisions", minutes)
rules.add_perm("meetings.propose_binding", leads_it)
rules.add_perm("meetings.view_protocol", is_service_staff | belongs | published)
rules.add_perm("meetings.draft_protocol", minutes & protocol_editable)
rules.add_perm("meetings.start_protocol", minutes)
rules.add_perm("meetings.sign_protocol", is_required_signer)
rules.add_perm("meetings.review_protocol", (curates | is_portal_admin) & protocol_signed)
rules.add_perm("meetings.correct_protocol", minutes)
rules.add_perm("meetings.attach_scan", minutes)
rules.add_perm("meetings.review_any_protocol", is_methodist | is_portal_admin)
rules.add_perm("meetings.protocol_start_page", is_leader | is_secretary)
# Events: the service and leaders create them; an event is edited by the service or its organisers.
rules.add_perm("meetings.create_event", is_methodist | is_portal_admin | is_leader)
rules.add_perm("meetings.manage_event", is_methodist | is_portal_admin | organises_event)
rules.add_perm("meetings.view_event", is_service_staff | published | organises_event)
rules.add_perm("meetings.use_calendar_feed", rules.is_authenticated)


# --- events: the members of an organising association -------------------------------------------------
# Event.objects.visible_to() shows an association's members its unpublished events in the calendar; the page
# of such an event must open for them too, so view_event says the same (added by the events section).


@rules.predicate
def in_organising_association(user, event) -> bool:
    """A current member (any role) of one of the event's organising associations."""
    from associations.models import Membership
    from rmo_portal import calendar

    if event is None or not user.is_authenticated:
        return False
    return (
        Membership.objects.current(on=calendar.today())
        .filter(user=user, association__in=event.organisers.all())
        .exists()
    )


rules.set_perm("meetings.view_event", is_service_staff | published | organises_event | in_organising_association)
