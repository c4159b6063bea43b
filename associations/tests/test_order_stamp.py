"""Orders carry the head's simple electronic signature: one signature of the order's text, stamped and verifiable."""

import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from associations.models import Membership, Order, OrderMember
from associations.services import order_sign, order_submit, order_text
from associations.tests.factories import AssociationFactory
from members.tests.factories import UserFactory, district_head, give_consent, methodist
from rmo_portal.models import Signature
from rmo_portal.signatures import text_hash

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 24, 11, 5, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def signed_order():
    association = AssociationFactory(name="РМО учителей физики")
    drafter, head = methodist(username="drafter"), district_head(username="head", patronymic="Петровна")
    order = Order.objects.create(
        kind=Order.Kind.APPROVE_COMPOSITION, title="Об утверждении состава РМО учителей физики",
        text="Утвердить состав РМО учителей физики.", effective_date=TODAY + datetime.timedelta(days=7),
        association=association, drafted_by=drafter,
    )  # fmt: skip
    for last_name in ("Яковлева", "Абрамова"):
        OrderMember.objects.create(
            order=order, user=UserFactory(last_name=last_name), role=Membership.Role.MEMBER
        )  # fmt: skip
    order_submit(order=order, by=drafter)
    order = order_sign(order=order, by=head, today=TODAY)
    give_consent(head)
    return order, head


def test_signing_an_order_records_one_signature_of_its_text(signed_order):
    order, head = signed_order
    signature = Signature.objects.get()
    assert signature.document_key == f"associations.order:{order.pk}" and signature.document_version == 1
    assert signature.document_hash == text_hash(order_text(order))
    assert signature.signer == head and signature.role_label == "Начальник управления образования"
    assert signature.document_title == f"Приказ № 1 от 24.11.2026 «{order.title}»"
    assert signature.document_url == order.get_absolute_url()


def test_the_orders_canonical_text_has_title_number_date_text_and_members_in_order(signed_order):
    order, _ = signed_order
    text = order_text(order)
    assert "№ 1 от 24 ноября 2026 г." in text and order.title in text and order.text in text
    assert text.index("Абрамова") < text.index("Яковлева")  # people by name, whatever order they were added in
    assert "Абрамова Мария Петровна — член объединения" in text


def test_the_verify_page_finds_the_orders_signature(client, signed_order):
    order, _ = signed_order
    signature = Signature.objects.get()
    text = client.get(reverse("verify"), {"code": signature.code_label}).content.decode()
    assert "Подпись найдена" in text and f"Приказ № 1 от 24.11.2026 «{order.title}»" in text
    assert "Начальник управления образования" in text and "24 ноября 2026 г., 14:05" in text


def test_the_order_page_and_its_pdf_carry_the_stamp(client, signed_order):
    order, head = signed_order
    signature = Signature.objects.get()
    client.force_login(head)
    page = client.get(reverse("associations:order_detail", args=[order.pk])).content.decode()
    assert "Подписано простой электронной подписью" in page and signature.code_label in page
    pdf = client.get(reverse("associations:order_pdf", args=[order.pk]))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert signature.code_label in text and signature.short_hash in text and "/verify/" in text


def test_a_draft_has_no_stamp(client):
    drafter = methodist(username="drafter")
    order = Order.objects.create(
        kind=Order.Kind.OTHER, title="Проект", text=".", effective_date=TODAY, drafted_by=drafter
    )  # fmt: skip
    client.force_login(drafter)
    page = client.get(reverse("associations:order_detail", args=[order.pk])).content.decode()
    assert "Подписано простой электронной подписью" not in page and not Signature.objects.exists()
