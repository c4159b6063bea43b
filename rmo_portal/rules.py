"""Permissions of the start pages: each role has one, and the navigation asks the same names.

The kernel knows no app: the roles' pages are declared where the roles are known (members/rules.py for the
service's accounts, associations/rules.py for the leaders and secretaries); every signed-in user has the teacher's.
"""

import rules

rules.add_perm("portal.teacher_start", rules.is_authenticated)
