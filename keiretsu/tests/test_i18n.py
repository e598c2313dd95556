"""Japanese first, English too: every interface string translated, Japanese by default, switchable."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from keiretsu.assessments import services
from keiretsu.conftest import client_for, membership_of

pytestmark = pytest.mark.django_db

CATALOGUES = sorted(
    [*Path(settings.BASE_DIR, "keiretsu").glob("*/locale/ja/LC_MESSAGES/django.po"),
     Path(settings.BASE_DIR, "locale/ja/LC_MESSAGES/django.po")]
)


def entries(path):
    """(msgid, msgstr values, flags) of each entry of a .po file written with --no-wrap."""
    text = path.read_text(encoding="utf-8")
    for block in text.split("\n\n")[1:]:
        flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
        msgid = re.search(r'^msgid "(.*)"$', block, re.M)
        msgstrs = re.findall(r'^msgstr(?:\[\d\])? "(.*)"$', block, re.M)
        if msgid and not block.lstrip().startswith("#~"):
            yield msgid.group(1), msgstrs, flags


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_every_string_has_a_japanese_translation(path):
    untranslated = [msgid for msgid, msgstrs, flags in entries(path) if not all(msgstrs) or "fuzzy" in flags]
    assert untranslated == []


def test_every_app_has_a_japanese_catalogue():
    apps = {p.parent.name for p in Path(settings.BASE_DIR, "keiretsu").glob("*/apps.py")}
    translated = {p.parents[3].name for p in CATALOGUES if "keiretsu" in p.parts}
    assert apps <= translated


def test_japanese_is_the_default_whatever_the_browser_says(client, alpha, alice):
    page = client_for(alice).get(reverse("assessments:dashboard", args=[alpha.pk]), HTTP_ACCEPT_LANGUAGE="en-US,en")
    body = page.content.decode()
    assert page["Content-Language"] == "ja"
    assert '<html lang="ja">' in body
    assert "ダッシュボード" in body and "自己評価を始める" in body


def test_a_user_switches_to_english_and_back(client, alpha, alice):
    client = client_for(alice)
    url = reverse("assessments:dashboard", args=[alpha.pk])
    client.post(reverse("set_language"), {"language": "en", "next": url})
    body = client.get(url).content.decode()
    assert '<html lang="en">' in body and "Start an assessment" in body
    client.post(reverse("set_language"), {"language": "ja", "next": url})
    assert "自己評価を始める" in client.get(url).content.decode()


def test_messages_from_the_rules_are_translated(catalogue, alpha, alice):
    with pytest.raises(services.AssessmentError) as caught:
        services.assessment_create(membership=membership_of(alice, alpha), actor=alice, scope=alpha.company_scope,
                                   edition=catalogue["jama-factory"], fiscal_year=2026)
    assert caught.value.message == "この版は工場または生産ラインごとに評価します。"
