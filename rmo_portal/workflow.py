"""The one transition kernel: a status moves only along the moves its model declares.

Each workflow model declares `Status` (TextChoices) and `TRANSITIONS = {from: {to, …}}` beside it (STYLE.md §4);
its app's services call `move()` and never assign `status` themselves. `move()` checks the move, sets the status,
and returns the old one so the caller can write its history row (an OrderEvent, a decision date…). A refused move
raises the app's own domain error with a Russian message.
"""

from collections.abc import Callable


class TransitionRefused(Exception):
    """A move the model's TRANSITIONS do not allow (apps usually pass their own error class instead)."""


def allowed_moves(obj) -> set[str]:
    """Where the object's status may go from here."""
    return set(type(obj).TRANSITIONS.get(obj.status, ()))


def can_move(obj, to: str) -> bool:
    return to in allowed_moves(obj)


def status_label(obj, status: str) -> str:
    return type(obj).Status(status).label


def move(
    obj,
    to: str,
    *,
    error: type[Exception] = TransitionRefused,
    refused: str | Callable[[object, str], str] | None = None,
) -> str:
    """Move `obj.status` to `to` if the model allows it; return the old status. Does not save.

    `refused` is the Russian message (or a function of the object and the target) for a move not allowed;
    by default «Нельзя перевести из состояния «…» в «…».».
    """
    if not can_move(obj, to):
        if callable(refused):
            message = refused(obj, to)
        else:
            message = refused or (
                f"Нельзя перевести из состояния «{status_label(obj, obj.status)}» в «{status_label(obj, to)}»."
            )
        raise error(message)
    old, obj.status = obj.status, to
    return old
