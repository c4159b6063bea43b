"""Named change announcements: code that changes what another app derives rows from says so, by name, where it
changes it; the other app registered what to do in its AppConfig.ready() (STYLE.md §16). Not Django signals: a
call site reads «announce("associations", ids=…)», so the effect is visible where the change is made, and apps
still depend only leftwards (the announcer never imports the listener).

Topics:
- "associations": an association was created or dissolved, changed its regulation or leader, or its regulation's
  rules were edited. The deadline engine (reports) recomputes those associations' open obligations.

Listeners run after the transaction commits (a rolled-back change announces nothing) and get the ids once, even
when one transaction announces the same association several times.
"""

from collections.abc import Callable, Iterable

from django.db import transaction

Listener = Callable[..., None]  # fn(ids=[...])

_LISTENERS: dict[str, list[Listener]] = {}
TOPICS = frozenset({"associations"})


def listen(topic: str, fn: Listener) -> None:
    """Call `fn(ids=[…])` after each committed change announced on `topic`. Registering twice is harmless."""
    if topic not in TOPICS:
        raise ValueError(f"unknown topic {topic!r}")
    fns = _LISTENERS.setdefault(topic, [])
    if fn not in fns:
        fns.append(fn)


def listeners_of(topic: str) -> list[Listener]:
    return list(_LISTENERS.get(topic, ()))


def announce(topic: str, *, ids: Iterable[int]) -> None:
    """Tell the listeners of `topic` that these objects changed, once the current transaction commits."""
    if topic not in TOPICS:
        raise ValueError(f"unknown topic {topic!r}")
    ids = sorted({int(i) for i in ids if i is not None})
    if not ids:
        return
    for fn in listeners_of(topic):
        transaction.on_commit(lambda fn=fn: fn(ids=ids), robust=True)  # a broker error is logged, not a 500
