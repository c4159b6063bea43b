"""One way to ask a named permission, everywhere (views, templates, navigation, querysets).

The names and their predicates are rules (`rules` package) declared in each app's rules.py. They are asked
from the rules registry directly, not through Django's backends: a superuser's blanket "yes" from
ModelBackend must not let an administrator sign orders in the district head's place. Administrators get
their portal rights from the `is_portal_admin` predicate like every other role; Django's admin site keeps
using the usual model permissions.
"""

import rules


def allowed(user, perm: str, obj=None) -> bool:
    return bool(user is not None and rules.has_perm(perm, user, obj))
