"""Who may do what with an association's documents (STYLE.md §6): each action named once."""

import rules

from associations.rules import is_curator, is_leader, is_member, is_secretary
from members.rules import is_portal_admin, is_service_staff


def _association(obj):
    return getattr(obj, "association", obj)


def _on_association(predicate, name: str):
    @rules.predicate(name=name)
    def wrapped(user, obj=None) -> bool:
        return obj is not None and predicate.test(user, _association(obj))

    return wrapped


leads_it = _on_association(is_leader, "leads_filing_association")
keeps_minutes = _on_association(is_secretary, "keeps_filing_minutes")
belongs = _on_association(is_member, "belongs_to_filing_association")
curates = _on_association(is_curator, "curates_filing_association")


@rules.predicate
def editable(user, filing) -> bool:
    return filing is not None and filing.status in ("draft", "discussion", "returned")


@rules.predicate
def in_discussion(user, filing) -> bool:
    return filing is not None and filing.status == "discussion"


@rules.predicate
def submitted(user, filing) -> bool:
    return filing is not None and filing.status == "submitted"


@rules.predicate
def published(user, filing) -> bool:
    return filing is not None and getattr(filing, "status", "") == "published"


@rules.predicate
def draft_or_returned(user, filing) -> bool:
    return filing is not None and filing.status in ("draft", "returned")


rules.add_perm("reports.view_documents", is_service_staff | belongs)
rules.add_perm("reports.create_filing", leads_it)
rules.add_perm("reports.view_filing", is_service_staff | belongs | published)
rules.add_perm("reports.edit_filing", (leads_it | keeps_minutes) & editable)
rules.add_perm("reports.open_discussion", leads_it & draft_or_returned)
rules.add_perm("reports.discuss", (belongs & in_discussion) | (curates & ~published))
rules.add_perm("reports.vote", belongs & in_discussion)
rules.add_perm("reports.submit_filing", leads_it & editable)
rules.add_perm("reports.review_filing", (curates | is_portal_admin) & submitted)
rules.add_perm("reports.review_queue", rules.is_authenticated & (is_service_staff))
rules.add_perm("reports.manage_mentorship", leads_it)
rules.add_perm("reports.record_approval", leads_it & ~published)
rules.add_perm("reports.waive_obligation", curates | is_portal_admin)
# The deadline dashboards (reports.dashboards): the grid for the service, an obligation's page for its people too.
rules.add_perm("reports.view_deadlines", is_service_staff)
rules.add_perm("reports.view_obligation", is_service_staff | belongs)
