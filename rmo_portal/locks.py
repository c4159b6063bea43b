"""Named locks in the database, for work that must not run twice at once (imports, numbering)."""

from django.db import transaction


def lock_hold(name: str) -> None:
    """Hold the lock `name` until the current transaction ends; a second holder waits for it.

    On PostgreSQL a row lock (SELECT … FOR UPDATE); on SQLite every writing transaction already
    takes the database's write lock at BEGIN IMMEDIATE, so the row update serialises the same way.
    """
    from .models import Lock

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_hold() needs a transaction")
    Lock.objects.get_or_create(name=name)
    Lock.objects.filter(name=name).update(held=True)  # an UPDATE holds the row until commit
