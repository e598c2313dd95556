"""One Japanese vocabulary (docs/glossary.md): no Japanese translation and no Japanese page of
the demo uses a word the glossary rules out. The test reads the glossary itself."""

import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from keiretsu.accounts.models import User
from keiretsu.catalogue.models import Item, Section
from keiretsu.conftest import client_for
from keiretsu.demo.benchmark import BODY_EMAIL
from keiretsu.demo.company import ADMIN_EMAIL, DEMO_EMAIL

GLOSSARY = Path(settings.BASE_DIR) / "docs" / "glossary.md"
CATALOGUES = sorted(Path(settings.BASE_DIR).glob("keiretsu/*/locale/ja/LC_MESSAGES/django.po")) + [
    Path(settings.BASE_DIR) / "locale" / "ja" / "LC_MESSAGES" / "django.po"
]


def forbidden() -> list[tuple[str, re.Pattern]]:
    """(as written, pattern) for every entry of the last column of the glossary's tables."""
    entries = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|") or set(line) <= set("|- "):
            continue
        cells = re.split(r"(?<!\\)\|", line.strip().strip("|"))
        for written in re.findall(r"`([^`]+)`", cells[-1]):
            written = written.replace("\\|", "|")
            if written.startswith("re:"):
                entries.append((written, re.compile(written[3:])))
            else:
                entries.append((written, re.compile(re.escape(written))))
    return entries


def msgstrs(path: Path):
    for block in path.read_text(encoding="utf-8").split("\n\n")[1:]:
        msgid = next((line[7:-1] for line in block.splitlines() if line.startswith('msgid "')), "")
        for line in block.splitlines():
            if line.startswith("msgstr"):
                yield msgid, line.split(" ", 1)[1][1:-1]


def offences(text: str) -> list[str]:
    return [f"{written}: …{text[max(0, m.start() - 30):m.end() + 30]}…"
            for written, pattern in forbidden() for m in pattern.finditer(text)]


def test_the_glossary_rules_out_the_words_the_issue_found():
    written = {entry for entry, _ in forbidden()}
    assert {"セルフチェック", "返答", "確定済み", "弱い環", "·", "ヶ月"} <= written
    assert any(pattern.search("第%(v)s版") for _, pattern in forbidden())
    assert any(pattern.search("FY2026") for _, pattern in forbidden())
    assert not offences("2026年度・第2回公表・改訂 2・エンタープライズ版 2.3版・残り1か月と4週間・要対策先")


def test_no_japanese_translation_uses_a_word_the_glossary_rules_out():
    found = [f"{path.relative_to(settings.BASE_DIR)}: {msgid!r}: {offence}"
             for path in CATALOGUES for msgid, msgstr in msgstrs(path) for offence in offences(msgstr)]
    assert not found, "\n".join(found)


# Not crawled: downloads, signing out, the admin site, and the audit log (its rows keep the
# labels written when each change happened: a record, not the interface's words).
SKIP = re.compile(r"/(accounts/logout|i18n|admin|api|audit)/|\.(csv|xlsx|pdf)$|/(export|download)")


def visible_text(page: str, quoted: list[str]) -> str:
    """The page's text, without the guideline documents' own words (items and labels are quoted
    as published: 「サプライヤー」, 「6 ヶ月」 stay as the documents write them)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    for passage in quoted:
        text = text.replace(passage, " ")
    return text


def catalogue_passages() -> list[str]:
    """Every line of text the catalogue quotes from the documents, longest first."""
    fields = ("title", "purpose", "requirement", "condition", "criteria", "explanation")
    lines = set()
    for values in Item.objects.values_list(*fields):
        for value in values:
            lines.update(line.strip() for line in (value or "").splitlines() if line.strip())
    for values in Section.objects.values_list("title", "description"):
        for value in values:
            lines.update(line.strip() for line in (value or "").splitlines() if line.strip())
    return sorted(lines, key=len, reverse=True)


def crawl(client, limit):
    """The pages a person reaches from the first screen by following links (GET only)."""
    seen, queue, pages = set(), ["/"], {}
    while queue and len(pages) < limit:
        url = queue.pop(0)
        if url in seen or SKIP.search(url):
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code in (301, 302):
            queue.insert(0, response["Location"])
            continue
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        page = response.content.decode()
        pages[url] = page
        queue.extend(href for href in re.findall(r'href="(/[^"#?]*)"', page) if href not in seen)
    return pages


@pytest.mark.django_db
def test_the_demos_japanese_pages_use_the_glossary():
    for command in ("demo", "demo_supplychain", "demo_benchmark"):
        call_command(command, verbosity=0)
    found, crawled, quoted = [], 0, catalogue_passages()
    for email, limit in ((DEMO_EMAIL, 70), (BODY_EMAIL, 25), (ADMIN_EMAIL, 10)):
        pages = crawl(client_for(User.objects.get(email=email)), limit)
        crawled += len(pages)
        for url, page in pages.items():
            assert 'lang="ja"' in page
            found += [f"{email} {url}: {offence}" for offence in offences(visible_text(page, quoted))]
    assert crawled >= 60
    assert not found, "\n".join(found)


@pytest.mark.django_db
def test_no_catalogue_text_points_at_a_figure_that_is_not_there(catalogue):
    fields = ("purpose", "requirement", "condition", "criteria", "explanation")
    pointing = [
        (item.edition.guideline.slug, item.number)
        for item in Item.objects.select_related("edition__guideline")
        if any(re.search(r"[（(]下図[）)]", getattr(item, name) or "") for name in fields)
    ]
    assert not pointing
