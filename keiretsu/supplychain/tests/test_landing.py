"""The first screen after signing in (/): the organisation used last, else the one with open
work; an industry body on its own home; a customer without a self-assessment on its suppliers."""

import pytest
from django.http import HttpResponse
from django.urls import reverse

from keiretsu.accounts.access import LAST_ORGANISATION_COOKIE, LAST_ORGANISATION_SALT
from keiretsu.accounts.models import Membership, Role
from keiretsu.assessments import services as assessment_services
from keiretsu.benchmark import services as benchmark_services
from keiretsu.conftest import client_for, give_totp, make_user, membership_of
from keiretsu.supplychain import selectors

from .scenario import add_supplier, company, send_requests

pytestmark = pytest.mark.django_db


def landing(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    return response["Location"]


def dashboard(org):
    return reverse("assessments:dashboard", args=[org.pk])


def start_assessment(org, owner, edition):
    return assessment_services.assessment_create(
        membership=membership_of(owner, org), actor=owner, scope=org.company_scope, edition=edition, fiscal_year=2026
    )


@pytest.fixture
def person():
    """Someone who belongs to two companies: 'Aoi Motors' (first by name) and 'Sakura Parts'."""
    aoi, aoi_owner = company("Aoi Motors")
    sakura, sakura_owner = company("Sakura Parts")
    user = make_user("both@example.jp")
    for org in (aoi, sakura):
        Membership.objects.create(user=user, organisation=org, role=Role.OWNER)
    return user, aoi, sakura


def test_without_anything_else_the_first_organisation_by_name(person):
    user, aoi, _sakura = person
    assert landing(client_for(user)) == dashboard(aoi)


def test_the_organisation_with_open_work_comes_first(person, priority_edition):
    user, _aoi, sakura = person
    start_assessment(sakura, user, priority_edition)  # in progress
    assert landing(client_for(user)) == dashboard(sakura)


def test_a_customers_request_waiting_is_open_work(person, priority_edition):
    user, aoi, sakura = person
    customer, customer_owner = company("Zen Motors")
    supplier = add_supplier(customer, customer_owner, sakura)
    send_requests(customer, customer_owner, [supplier], [priority_edition])
    assert landing(client_for(user)) == dashboard(sakura)


def test_the_organisation_used_last_is_remembered_across_sign_ins(person, priority_edition):
    user, aoi, sakura = person
    start_assessment(sakura, user, priority_edition)
    client = client_for(user)
    client.get(dashboard(aoi))  # the person switches to Aoi Motors
    remembered = client.cookies[LAST_ORGANISATION_COOKIE]
    assert remembered["httponly"] and remembered["max-age"] == 365 * 24 * 3600
    client.logout()  # (the test client forgets every cookie here; a browser keeps this one)
    client.cookies[LAST_ORGANISATION_COOKIE] = remembered.value
    client.force_login(user)  # another day
    assert landing(client) == dashboard(aoi)


def test_a_remembered_organisation_one_no_longer_belongs_to_is_ignored(person, alpha, alice):
    user, aoi, _sakura = person
    client = client_for(alice)
    client.get(dashboard(alpha))
    remembered = client.cookies[LAST_ORGANISATION_COOKIE].value
    client.logout()
    client.cookies[LAST_ORGANISATION_COOKIE] = remembered
    client.force_login(user)  # someone else on the same browser: Alpha is not theirs
    assert landing(client) == dashboard(aoi)
    assert client.get(dashboard(alpha)).status_code == 404


def test_a_forged_cookie_is_ignored(person, priority_edition):
    user, aoi, sakura = person
    start_assessment(sakura, user, priority_edition)
    client = client_for(user)
    client.cookies[LAST_ORGANISATION_COOKIE] = str(aoi.pk)  # unsigned
    assert landing(client) == dashboard(sakura)
    signed = HttpResponse()
    signed.set_signed_cookie(LAST_ORGANISATION_COOKIE, str(aoi.pk), salt=LAST_ORGANISATION_SALT)
    client.cookies[LAST_ORGANISATION_COOKIE] = signed.cookies[LAST_ORGANISATION_COOKIE].value
    assert landing(client) == dashboard(aoi)


def test_an_industry_body_opens_on_its_own_home(alpha, alice):
    benchmark_services.industry_body_set(actor=None, organisation=alpha, is_body=True)
    assert landing(client_for(alice)) == reverse("benchmark:home", args=[alpha.pk])


def test_a_customer_with_suppliers_and_no_self_assessment_opens_on_its_suppliers(alpha, alice):
    supplier_org, _owner = company("Sakura Parts")
    add_supplier(alpha, alice, supplier_org)
    assert landing(client_for(alice)) == reverse("supplychain:suppliers", args=[alpha.pk])


def test_a_customer_that_also_assesses_itself_opens_on_its_dashboard(alpha, alice, priority_edition):
    supplier_org, _owner = company("Sakura Parts")
    add_supplier(alpha, alice, supplier_org)
    start_assessment(alpha, alice, priority_edition)
    assert landing(client_for(alice)) == dashboard(alpha)


def test_someone_without_an_organisation_registers_one():
    user = make_user("new@example.jp")
    assert landing(client_for(user)) == reverse("accounts:organisation_create")


def test_one_query_whatever_the_number_of_organisations(person, django_assert_num_queries, priority_edition):
    user, _aoi, sakura = person
    for n in range(5):
        org, _owner = company(f"Extra {n}")
        Membership.objects.create(user=user, organisation=org, role=Role.VIEWER)
    start_assessment(sakura, user, priority_edition)
    with django_assert_num_queries(1):
        screen = selectors.first_screen(user)
    assert screen.membership.organisation_id == sakura.pk


def test_signing_out_and_in_is_required(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_the_instance_administrator_without_an_organisation_opens_on_the_catalogue():
    admin = make_user("admin@example.jp")
    admin.is_staff = True
    admin.save()
    give_totp(admin)  # administrators must have a second factor
    assert landing(client_for(admin)) == reverse("catalogue:list")
