"""The one transition kernel: a status moves only along the moves its model declares, and each move is recorded.

Each workflow model declares `Status` (TextChoices), `TRANSITIONS = {from: {to, …}}` and `STATUS_BADGE =
{status: "success" | "warning" | "danger" | "secondary" | …}` beside it (STYLE.md §4); its app's services call
`transition()` and never assign `status` themselves. `transition()` checks the move, sets the status, saves it
with the fields the caller names, writes one `StatusChange` row (who, when, from, to, comment) and, after the
transaction commits, calls the notifiers the apps registered for that model in their `AppConfig.ready()`
(STYLE.md §16). A refused move raises the caller's domain error (a subclass of `TransitionRefused`, or any class
passed as `error=`) with a Russian message and writes nothing. `history_of(obj)` reads the rows back.

`move()` is the bare check-and-set without saving or history, kept for machine states (ExportJob, ImportJob)
whose every step is not a decision a person reads in a history.
"""

from collections.abc import Callable, Iterable, Mapping

from django.db import models, transaction

# fn(obj, old, new, by, comment), called after commit.
Notifier = Callable[[models.Model, str, str, object, str], None]

_NOTIFIERS: dict[str, list[Notifier]] = {}


class TransitionRefused(Exception):
    """A move the model's TRANSITIONS do not allow; the apps' domain errors subclass it or are passed instead."""


def _label_of(model: str | type[models.Model]) -> str:
    return model.lower() if isinstance(model, str) else model._meta.label_lower


def register_notifier(model: str | type[models.Model], fn: Notifier) -> None:
    """Call `fn(obj, old, new, by, comment)` after each committed transition of `model` («app.Model» or the class).

    Registering the same function twice is harmless (ready() may run more than once in tests).
    """
    fns = _NOTIFIERS.setdefault(_label_of(model), [])
    if fn not in fns:
        fns.append(fn)


def notifiers_of(model: str | type[models.Model]) -> list[Notifier]:
    return list(_NOTIFIERS.get(_label_of(model), ()))


def allowed_moves(obj) -> set[str]:
    """Where the object's status may go from here."""
    return set(type(obj).TRANSITIONS.get(obj.status, ()))


def can_move(obj, to: str) -> bool:
    return to in allowed_moves(obj)


def status_label(obj_or_model, status: str) -> str:
    """The Russian label of a status of the object's model (the code itself only if the model no longer knows it)."""
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    return model.Status(status).label if status in model.Status.values else status


def badge_colour(obj) -> str:
    """The Bootstrap colour of the object's status badge, from the model's STATUS_BADGE ("secondary" if none)."""
    return getattr(type(obj), "STATUS_BADGE", {}).get(obj.status, "secondary")


def _check(obj, to: str, *, error: type[Exception], refused: str | Callable[[object, str], str] | None) -> None:
    if can_move(obj, to):
        return
    if callable(refused):
        message = refused(obj, to)
    else:
        message = refused or (
            f"Нельзя перевести из состояния «{status_label(obj, obj.status)}» в «{status_label(obj, to)}»."
        )
    raise error(message)


def move(
    obj,
    to: str,
    *,
    error: type[Exception] = TransitionRefused,
    refused: str | Callable[[object, str], str] | None = None,
) -> str:
    """Move `obj.status` to `to` if the model allows it; return the old status. Does not save, record or notify.

    For machine states only (ExportJob, ImportJob); a document a person moves goes through `transition()`.
    `refused` is the Russian message (or a function of the object and the target) for a move not allowed;
    by default «Нельзя перевести из состояния «…» в «…».».
    """
    _check(obj, to, error=error, refused=refused)
    old, obj.status = obj.status, to
    return old


def transition(
    obj,
    to: str,
    *,
    by,
    comment: str = "",
    error: type[Exception] = TransitionRefused,
    refused: str | Callable[[object, str], str] | None = None,
    save_fields: Iterable[str] = (),
    extra_fields: Mapping[str, object] | Iterable[tuple[str, object]] = (),
) -> str:
    """Move `obj` to `to`, save, record and notify; return the old status.

    Checks the move against the model's TRANSITIONS (refused: `error(message)`, nothing written). Then sets
    `status` and each of `extra_fields` ({field: value}), saves them together with `save_fields` (fields the
    caller already set) in one `save(update_fields=…)`, writes a StatusChange row, and queues the model's
    notifiers for after the commit. `by` is the user who moved it (None: the system).
    """
    from .models import StatusChange

    _check(obj, to, error=error, refused=refused)
    extra = dict(extra_fields)
    old = obj.status
    with transaction.atomic():
        obj.status = to
        for name, value in extra.items():
            setattr(obj, name, value)
        fields = ["status", *(f for f in (*save_fields, *extra) if f != "status")]
        obj.save(update_fields=list(dict.fromkeys(fields)))
        StatusChange.objects.create(content_object=obj, by=by, from_status=old, to_status=to, comment=comment)
        for fn in notifiers_of(type(obj)):
            transaction.on_commit(
                lambda fn=fn: fn(obj, old, to, by, comment),
                robust=True,  # a letter that fails must not turn a committed move into an error page
            )
    return old


def history_of(obj) -> list:
    """The object's StatusChange rows, oldest first, who moved it loaded, each able to say its statuses' labels."""
    from django.contrib.contenttypes.models import ContentType

    from .models import StatusChange

    rows = list(
        StatusChange.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
        .select_related("by")
        .order_by("at", "pk")
    )
    for row in rows:
        row.status_model = type(obj)
    return rows
