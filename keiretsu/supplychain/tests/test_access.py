"""Every page of the supply chain, walked as someone with no right to it: a member of an
unrelated organisation gets 404 (never 403 with details), an anonymous visitor is sent to
sign in."""

import pytest
from django.urls import get_resolver, reverse

from keiretsu.conftest import client_for
from keiretsu.supplychain.models import AssessmentRequest, Share, Supplier, SupplierImport

from .scenario import build_tree

pytestmark = pytest.mark.django_db

POST_ONLY = {
    "supplier_remove",
    "supplier_invite",
    "supplier_link_claim",
    "supplier_unlink_claim",
    "supplier_import_confirm",
    "request_withdraw",
    "request_remind",
    "request_accept",
    "request_decline",
    "request_share",
    "share_withdraw",
}


@pytest.fixture
def objects(priority_edition):
    """A Tier-1 that has suppliers, sent requests, received a request, shared and been shared with."""
    tree = build_tree(priority_edition)
    tier1, tier1_owner = tree.tier1[0]
    return {
        "org": tier1,
        "owner": tier1_owner,
        "supplier_id": Supplier.objects.filter(customer=tier1).first().pk,
        "request_id": AssessmentRequest.objects.filter(requester=tier1).first().pk,  # sent
        "inbox_request_id": AssessmentRequest.objects.get(supplier__organisation=tier1).pk,  # received
        "share_id": Share.objects.filter(recipient=tier1).first().pk,  # received
        "given_share_id": Share.objects.filter(organisation=tree.tier2[0][0]).first().pk,
        "given_share_owner": tree.tier2[0][1],
        "given_share_org": tree.tier2[0][0],
        "supplier_import_id": SupplierImport.objects.create(organisation=tier1, created_by=tier1_owner, data=b"x").pk,
    }


def supplychain_urls():
    resolver = get_resolver()
    names = [
        pattern.name
        for pattern in resolver.url_patterns
        if getattr(pattern, "namespace", None) == "supplychain"
        for pattern in pattern.url_patterns
    ]
    return names


def url_for(name, org_id, objects):
    pattern = next(p for p in get_resolver().namespace_dict["supplychain"][1].url_patterns if p.name == name)
    kwargs = {}
    for key in pattern.pattern.converters:
        if key == "org_id":
            kwargs[key] = org_id
        elif key == "request_id":
            kwargs[key] = (
                objects["inbox_request_id"]
                if name.startswith(("request_accept", "request_decline", "request_share", "inbox_request"))
                else objects["request_id"]
            )
        elif key == "share_id":
            kwargs[key] = objects["given_share_id"] if name == "share_withdraw" else objects["share_id"]
        elif key == "token":
            kwargs[key] = "x"
        else:
            kwargs[key] = objects[key]
    return reverse(f"supplychain:{name}", kwargs=kwargs)


def call(client, name, url):
    return client.post(url, {"confirmed": "1"}) if name in POST_ONLY else client.get(url)


def test_the_walk_covers_every_page():
    assert set(supplychain_urls()) == {
        "suppliers",
        "supplier_export",
        "supplier_export_xlsx",
        "supplier_add",
        "supplier_import",
        "supplier_import_preview",
        "supplier_import_confirm",
        "supplier_detail",
        "supplier_edit",
        "supplier_remove",
        "supplier_invite",
        "supplier_link_claim",
        "supplier_unlink_claim",
        "request_create",
        "request_withdraw",
        "request_remind",
        "result",
        "supply_tree",
        "weakest_links",
        "inbox",
        "pass_on",
        "inbox_request",
        "request_accept",
        "request_decline",
        "request_share",
        "shares",
        "share_withdraw",
        "invitation",
    }


def has_object(name):
    pattern = next(p for p in get_resolver().namespace_dict["supplychain"][1].url_patterns if p.name == name)
    return any(key not in ("org_id", "token") for key in pattern.pattern.converters)


def test_another_organisations_pages_answer_404(objects, mallory, beta):
    client = client_for(mallory)
    for name in supplychain_urls():
        if name == "invitation":
            continue
        # The other organisation's own URLs...
        url = url_for(name, objects["org"].pk, objects)
        assert call(client, name, url).status_code == 404, url
        # ...and its objects under one's own organisation.
        if has_object(name):
            own = url_for(name, beta.pk, objects)
            assert call(client, name, own).status_code == 404, own


def test_the_real_owner_reaches_them(objects):
    client = client_for(objects["owner"])
    for name in (
        "suppliers",
        "supplier_detail",
        "supplier_edit",
        "result",
        "supply_tree",
        "weakest_links",
        "inbox",
        "inbox_request",
        "shares",
        "pass_on",
    ):
        url = url_for(name, objects["org"].pk, objects)
        assert client.get(url).status_code in (200, 302), url
    given = client_for(objects["given_share_owner"])
    assert (
        given.post(
            reverse("supplychain:share_withdraw", args=[objects["given_share_org"].pk, objects["given_share_id"]]),
            {"confirmed": "1"},
        ).status_code
        == 302
    )


def test_anonymous_visitors_are_sent_to_sign_in(objects, client):
    for name in supplychain_urls():
        if name == "invitation":
            continue
        url = url_for(name, objects["org"].pk, objects)
        response = call(client, name, url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


def test_api_endpoints_answer_404_to_others_and_401_to_anonymous(objects, mallory, client):
    org = objects["org"].pk
    urls = [
        reverse("api:suppliers", args=[org]),
        reverse("api:supply_tree", args=[org]),
        reverse("api:weakest_links", args=[org]),
        reverse("api:inbox", args=[org]),
        reverse("api:result", args=[org, objects["share_id"]]),
    ]
    for url in urls:
        assert client_for(mallory).get(url).status_code == 404, url
        assert client.get(url).status_code == 401, url
    assert client_for(objects["owner"]).get(urls[-1]).status_code == 200


def test_viewers_may_look_but_not_change(objects):
    from keiretsu.conftest import add_member, make_user

    viewer = make_user("viewer@tier1.example")
    add_member(objects["org"], viewer, "viewer")
    client = client_for(viewer)
    org = objects["org"].pk
    assert client.get(url_for("suppliers", org, objects)).status_code == 200
    assert client.get(url_for("inbox_request", org, objects)).status_code == 200
    for name in ("supplier_add", "supplier_import", "request_create", "pass_on", "supplier_edit"):
        assert client.get(url_for(name, org, objects)).status_code == 403, name
    for name in ("request_withdraw", "request_accept", "request_share", "supplier_remove"):
        assert client.post(url_for(name, org, objects), {"confirmed": "1"}).status_code == 403, name
    assert AssessmentRequest.objects.filter(status="withdrawn").count() == 0
    assert Supplier.objects.filter(customer=objects["org"]).count() == 3
