"""Simple electronic signatures: the public check by code (/verify/) and the stamp printed on documents."""

import datetime

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings
from django.urls import reverse

from members.tests.factories import UserFactory
from rmo_portal.signatures import signature_create

pytestmark = pytest.mark.django_db

# 14:05 in Moscow, the tests' district time.
SIGNED = datetime.datetime(2027, 6, 20, 11, 5, tzinfo=datetime.UTC)
TEXT = "ПРОТОКОЛ № 3\nзаседания РМО учителей математики"


@pytest.fixture
def signatures():
    """A protocol signed by the leader and the secretary, and the same protocol's earlier version."""
    leader = UserFactory(username="leader", last_name="Ёлкина", first_name="Анна", patronymic="Сергеевна")
    secretary = UserFactory(username="secretary", last_name="Петрова", first_name="Ольга", patronymic="Ивановна")
    common = {"document_key": "meetings.protocol:7", "document_title": "Протокол № 3 заседания РМО учителей математики",
              "document_url": "/protocols/7/", "text": TEXT}  # fmt: skip
    with time_machine.travel(SIGNED, tick=False):
        old = signature_create(document_version=1, signer=leader, role_label="Руководитель РМО", **common)
        first = signature_create(document_version=2, signer=leader, role_label="Руководитель РМО", **common)
        second = signature_create(document_version=2, signer=secretary, role_label="Секретарь РМО", **common)
    return {"old": old, "leader": first, "secretary": second}


def _verify(client, **params):
    return client.get(reverse("verify"), params)


def test_a_code_typed_in_lower_case_with_dashes_finds_the_signature_and_its_document(client, signatures):
    signature = signatures["leader"]
    typed = signature.code_label.lower()  # «abcd-efgh-jk», as read from paper
    response = _verify(client, code=f"  {typed} ")
    text = response.content.decode()
    assert response.status_code == 200 and "Подпись найдена" in text
    assert '<a href="/protocols/7/">Протокол № 3 заседания РМО учителей математики</a>' in text
    assert "Ёлкина Анна Сергеевна" in text and "Руководитель РМО" in text
    assert "20 июня 2027 г., 14:05" in text and signature.document_hash in text
    # The other signatures of the same version stand beside it; the earlier version's do not.
    assert "Петрова Ольга Ивановна" in text and signatures["secretary"].code_label in text
    assert signatures["old"].code_label not in text


def test_an_unknown_code_says_so_on_the_same_page(client, signatures):
    response = _verify(client, code="ZZZZ-ZZZZ-ZZ")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Подпись с таким кодом не найдена" in text and 'name="code"' in text


def test_the_first_sixteen_digits_of_the_hash_in_any_case_are_enough_to_match(client, signatures):
    signature = signatures["secretary"]
    text = _verify(client, code=signature.code, sha256=signature.short_hash.upper()).content.decode()
    assert "Контрольная сумма совпадает" in text
    text = _verify(client, code=signature.code, sha256=signature.document_hash).content.decode()
    assert "Контрольная сумма совпадает" in text


def test_a_different_hash_does_not_match(client, signatures):
    signature = signatures["secretary"]
    wrong = ("0" if signature.document_hash[0] != "0" else "1") + signature.document_hash[1:16]
    text = _verify(client, code=signature.code, sha256=wrong).content.decode()
    assert "Контрольная сумма не совпадает" in text


def test_a_hash_too_short_or_not_hexadecimal_is_an_error_of_the_form(client, signatures):
    code = signatures["leader"].code
    assert "не меньше 16 первых знаков" in _verify(client, code=code, sha256="abc123").content.decode()
    assert "цифр 0–9 и латинских букв a–f" in _verify(client, code=code, sha256="x" * 16).content.decode()


@override_settings(VERIFY_LIMIT_PER_IP=3)
def test_lookups_are_throttled_per_address(client, signatures):
    for _ in range(3):
        assert _verify(client, code="ZZZZ-ZZZZ-ZZ").status_code == 200
    assert _verify(client, code="ZZZZ-ZZZZ-ZZ").status_code == 429
    assert client.get(reverse("verify")).status_code == 200  # the empty form is not a look-up


def test_the_stamp_prints_name_role_time_code_hash_and_where_to_check(signatures):
    request = RequestFactory().get("/")
    html = render_to_string(
        "includes/signature_stamps.html", {"signatures": [signatures["leader"], signatures["secretary"]]}, request
    )
    leader = signatures["leader"]
    assert html.count("Подписано простой электронной подписью") == 2
    assert "Ёлкина Анна Сергеевна" in html and "Руководитель РМО" in html and "20 июня 2027 г., 14:05" in html
    assert f'Код проверки: <span class="signature-stamp-code">{leader.code_label}</span>' in html
    assert f"SHA-256: {leader.document_hash[:16]}…" in html
    assert "Проверить: http://testserver/verify/" in html
    assert "style=" not in html  # the Content-Security-Policy forbids inline styles


def test_no_signatures_no_stamps():
    assert render_to_string("includes/signature_stamps.html", {"signatures": []}).strip() == ""
