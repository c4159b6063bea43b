"""Permissions of the start pages: each role has one, and the navigation asks the same names."""

import rules

from associations.rules import is_leader
from members.rules import is_district_head, is_methodist, is_portal_admin

rules.add_perm("portal.head_start", is_district_head)
rules.add_perm("portal.methodist_start", is_methodist)
rules.add_perm("portal.leader_start", is_leader)
rules.add_perm("portal.teacher_start", rules.is_authenticated)
rules.add_perm("portal.admin_start", is_portal_admin)
