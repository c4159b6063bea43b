import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from associations.demo import ACCOUNTS, demo_seed
from associations.models import Association, Membership, Regulation
from associations.tests.factories import AssociationFactory, MembershipFactory, leader_of
from members.models import Teacher, User
from members.tests.factories import TeacherFactory, UserFactory, consent_document, methodist

pytestmark = pytest.mark.django_db


def _district(n: int) -> None:
    for i in range(n):
        association = AssociationFactory()
        leader_of(association, user__username=f"leader{i}")
        for j in range(3):
            MembershipFactory(association=association, user__username=f"m{i}-{j}")
        association.curators.add(methodist(username=f"methodist{i % 3}"))


@pytest.mark.parametrize("user_kind", ["anonymous", "methodist"])
def test_association_list_runs_the_same_queries_for_5_or_60_rows(client, django_assert_max_num_queries, user_kind):
    # The consent middleware asks the database on the first request of a session (which document is in
    # force, whether this user needs it) and remembers the answer: the document exists whichever test ran
    # before (a browser test's flush takes the migration's row), and one request warms the session, so that
    # only the page's own queries are counted.
    consent_document()
    if user_kind == "methodist":
        client.force_login(methodist(username="me"))
    client.get(reverse("associations:list"))
    _district(5)
    # 10 signed in: the navbar's bell counts the unread notifications (one query).
    with django_assert_max_num_queries(10 if user_kind == "methodist" else 9) as small:
        assert client.get(reverse("associations:list")).status_code == 200
    _district(55)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("associations:list"))
    assert response.status_code == 200
    assert "Найдено: 50 объединений" not in response.content.decode()  # paginated: 60 found, 50 shown
    assert "Найдено: 60 объединений" in response.content.decode()


def test_search_finds_yo_by_ye_and_case():
    AssociationFactory(name="Творческая группа «Ёлочка»", subject_area="Дошкольное образование")
    AssociationFactory(name="РМО учителей физики", subject_area="Физика")
    from associations.filters import AssociationFilter

    for text in ("ёлочка", "ЕЛОЧКА", "елоч", "дошкольное"):
        found = AssociationFilter({"q": text}, queryset=Association.objects.all()).qs
        assert [a.name for a in found] == ["Творческая группа «Ёлочка»"], text


def test_leaders_and_member_counts_count_only_current_memberships():
    association = AssociationFactory()
    leader_of(association, user__last_name="Ёлкина")
    MembershipFactory(
        association=association, end_date=datetime.date(2026, 10, 1), start_date=datetime.date(2026, 9, 1)
    )
    MembershipFactory(association=association, start_date=datetime.date(2027, 1, 10))  # not yet
    row = Association.objects.with_people(on=datetime.date(2026, 11, 24)).get()
    assert row.member_count == 1
    assert [u.last_name for u in row.leaders] == ["Ёлкина"]


def test_dissolved_associations_are_hidden_from_the_public(client):
    AssociationFactory(name="РМО упразднённое", status=Association.Status.DISSOLVED)
    assert "РМО упразднённое" not in client.get(reverse("associations:list")).content.decode()
    dissolved = Association.objects.get()
    assert client.get(reverse("associations:detail", args=[dissolved.pk])).status_code == 404
    client.force_login(methodist(username="me"))
    assert "РМО упразднённое" in client.get(reverse("associations:list")).content.decode()


def test_association_page_shows_members_only_to_members_and_the_service(client):
    association = AssociationFactory()
    leader = leader_of(association, user__last_name="Ёлкина", user__username="lead")
    member = MembershipFactory(association=association, user__last_name="Громова", user__username="mem").user
    TeacherFactory(user=member)
    url = reverse("associations:detail", args=[association.pk])
    public = client.get(url).content.decode()
    assert "Ёлкина" in public  # the leader's name is public
    assert "Громова" not in public  # members' names are not
    outsider = UserFactory(username="outsider")
    client.force_login(outsider)
    assert "Громова" not in client.get(url).content.decode()
    for user in (leader, member, methodist(username="me")):
        client.force_login(user)
        assert "Громова" in client.get(url).content.decode()


def test_regulations_page_is_for_the_service_only(client):
    Regulation.objects.create(code="x", title="Положение о РМО", district="Печорский район")
    url = reverse("associations:regulation_list")
    assert client.get(url).status_code == 302
    client.force_login(UserFactory(username="t"))
    assert client.get(url).status_code == 403
    client.force_login(methodist(username="m"))
    response = client.get(url)
    assert response.status_code == 200
    assert "Положение о РМО" in response.content.decode()


def test_association_list_pdf_has_cyrillic_rows_page_numbers_and_repeated_headers(
    client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path)
    _district(3)
    AssociationFactory(name="РМО учителей русского языка и литературы")
    for i in range(60):
        AssociationFactory(name=f"Творческая группа «Ёлочка» № {i + 1}")
    client.force_login(UserFactory(username="reader"))  # the file is made in the background, for its owner
    with django_capture_on_commit_callbacks(execute=True):
        job_url = client.get(reverse("associations:list_pdf"))["Location"]
    response = client.get(job_url + "download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    assert len(pages) >= 2
    assert "РМО учителей русского языка и литературы" in "".join(pages)
    assert f"Страница 1 из {len(pages)}" in pages[0]
    assert f"Страница {len(pages)} из {len(pages)}" in pages[-1]
    # The table header is repeated on every page.
    assert all("Руководитель" in text for text in pages)


def test_seed_demo_loads_the_district_once(capsys):
    first = demo_seed()
    assert first["regulations"] == 4
    assert first["associations"] == 5
    assert 55 <= first["teachers"] <= 65
    counts = (User.objects.count(), Teacher.objects.count(), Membership.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Teacher.objects.count(), Membership.objects.count()) == counts
    out = capsys.readouterr().out
    for account in ACCOUNTS:
        assert account.username in out and account.password in out
    # Each demo account can log in with the printed password and has its role.
    for account in ACCOUNTS:
        assert User.objects.get(username=account.username).check_password(account.password)
    leader = User.objects.get(username="leader")
    assert leader.has_perm("associations.lead_any")
    assert not User.objects.get(username="teacher").has_perm("associations.lead_any")


@pytest.mark.postgres
def test_postgres_test_database_sorts_russian_names_right(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL property (the ICU ru-RU test template); SQLite orders by code point")
    for surname in ("Яковлева", "Ёлкина", "Елисеева", "Жукова"):
        UserFactory(username=surname, last_name=surname)
    names = list(User.objects.order_by("last_name").values_list("last_name", flat=True))
    assert names == ["Елисеева", "Ёлкина", "Жукова", "Яковлева"]


def test_association_list_filters_by_subject_kind_and_status(client):
    AssociationFactory(name="РМО учителей физики", subject_area="Физика")
    AssociationFactory(name="Творческая группа «Ёлочка»", subject_area="Дошкольное образование", kind="creative")
    AssociationFactory(name="РМО упразднённое", subject_area="Физика", status=Association.Status.DISSOLVED)
    client.force_login(methodist(username="m"))
    url = reverse("associations:list")

    def names(params):
        return [a.name for a in client.get(url, params).context["object_list"]]

    assert names({"subject_area": "Физика"}) == ["РМО упразднённое", "РМО учителей физики"]
    assert names({"kind": "creative"}) == ["Творческая группа «Ёлочка»"]
    assert names({"status": "dissolved"}) == ["РМО упразднённое"]
