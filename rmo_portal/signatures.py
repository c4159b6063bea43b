"""Simple electronic signatures (63-ФЗ, ст. 5 ч. 2): who signed which text, when, with a code to verify it.

A signature is given in the portal after the signer enters their password again (the view checks it); the
service here records it against the SHA-256 of the document's canonical text and gives a verification code.
The stamp printed on a PDF shows name, role, date and time, the code and the beginning of the hash; the public
page `/verify/` finds a signature by its code and shows what was signed, so that a printed copy can be checked.
Apps sign their own documents through `signature_create(document_key="app.model:pk", …)`.
"""

import hashlib
import secrets

from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Signature

# No 0/O, 1/I/L: a code is read from paper and typed.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


class SignatureError(Exception):
    """A signature refused: a wrong password, or the same person signing the same text twice."""


def text_hash(text: str) -> str:
    """The SHA-256 of a document's canonical text (UTF-8, line ends normalised)."""
    return hashlib.sha256(text.replace("\r\n", "\n").strip().encode("utf-8")).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def code_label(code: str) -> str:
    """«ABCD-EFGH-JK»: grouped for reading aloud and typing."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def password_confirms(user, password: str, *, request=None) -> bool:
    """The signer's own password, entered again (through the authentication backends, so axes counts failures)."""
    if not password:
        return False
    if request is None:  # a service called outside a request (a command, a test): no one to throttle
        return user.check_password(password)
    return authenticate(request, username=user.get_username(), password=password) == user


@transaction.atomic
def signature_create(
    *, document_key: str, document_version: int, document_title: str, document_url: str, text: str, signer,
    role_label: str,
) -> Signature:  # fmt: skip
    """Record a signature of `text`; a second signature by the same person in the same role is refused."""
    for _ in range(5):  # a code collision is astronomically rare; retry rather than fail
        try:
            with transaction.atomic():
                return Signature.objects.create(
                    code=new_code(),
                    document_key=document_key,
                    document_version=document_version,
                    document_title=document_title[:500],
                    document_url=document_url,
                    document_hash=text_hash(text),
                    signer=signer,
                    signer_name=signer.get_full_name() or signer.get_username(),
                    role_label=role_label,
                    signed_at=timezone.now(),
                )
        except IntegrityError:
            if Signature.objects.filter(
                document_key=document_key, document_version=document_version, signer=signer, role_label=role_label
            ).exists():
                raise SignatureError("Вы уже подписали этот документ.") from None
    raise SignatureError("Не удалось выдать код проверки подписи. Попробуйте ещё раз.")


def signatures_of(document_key: str, version: int | None = None) -> list[Signature]:
    qs = Signature.objects.filter(document_key=document_key)
    if version is not None:
        qs = qs.filter(document_version=version)
    return list(qs.select_related("signer"))


def signature_find(code: str) -> Signature | None:
    code = normalise_code(code)
    if not code:
        return None
    return Signature.objects.filter(code=code).first()
