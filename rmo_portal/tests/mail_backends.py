"""Mail backends for tests: one that refuses every letter, as an SMTP server that is down would."""

from django.core.mail.backends.base import BaseEmailBackend


class BrokenBackend(BaseEmailBackend):
    """Every letter fails, as with a mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP недоступен")
