"""The shipped editions' titles no longer repeat their guideline's name (docs/glossary.md):
「工場領域版 0.9 版」 becomes 「0.9版」 (after 「…ガイドライン 工場領域版」), and the priority items'
「優先対応項目 (8+11項目)」 says what 8 and 11 are; its item 1-2 no longer points at a figure
that is not there (「（下図）」): it says what the figure shows.

A repair of the shipped text, not a new edition (as 0002): an installation that loaded the
earlier titles gets the new ones and the content hash of the corrected file, so `keiretsu
catalogue load` stays idempotent. Items and answers are untouched.
"""

from django.db import migrations

REPAIRS = [
    # slug, code, hash before, hash after, (title, title_en) before, after
    (
        "jama-factory", "0.9",
        "0a8ecbe9aca2c2b185c992aacff2355adad90d4fb4aa58f609c8eb4a2a3d4f6c",
        "fcf9b5acf96ba4f35b167636739b458841212d1023e96762c18e97a5c5524012",
        ("工場領域版 0.9 版", "Factory edition 0.9"),
        ("0.9版", "0.9"),
    ),
    (
        "jama-priority-items", "1.0",
        "2731b2de3770631b097b0b50550c8e878932937b5b853f099c0f693c2d05df01",
        "478f7accbe0c07a462b305e7e0b176a6e15a9b63bb7c46486b2b39dc4ba1f8a3",
        ("優先対応項目 (8+11項目)", "Priority items quick start (8 + 11 items)"),
        ("1.0版（8つの対策：事故に備える8項目・侵入を防ぐ11項目）",
         "1.0 (8 measures: 8 items to be ready for an incident, 11 to keep attackers out)"),
    ),
]


FIGURE_BEFORE = "-出来るだけ「3-2-1ルール（下図）」に則ろう"
FIGURE_AFTER = (
    "-出来るだけ「3-2-1ルール」に則ろう（原本の図はここにはありません："
    "データのコピーを3つ持ち、2種類の媒体に保管し、うち1つは別の場所に置く）"
)


def repair(apps, schema_editor, *, backwards=False):
    Edition = apps.get_model("catalogue", "Edition")
    Item = apps.get_model("catalogue", "Item")
    for slug, code, before, after, old, new in REPAIRS:
        if backwards:
            before, after, old, new = after, before, new, old
        for edition in Edition.objects.filter(guideline__slug=slug, code=code, content_hash=before):
            if slug == "jama-priority-items":
                figure = (FIGURE_AFTER, FIGURE_BEFORE) if backwards else (FIGURE_BEFORE, FIGURE_AFTER)
                for item in Item.objects.filter(edition=edition, number="1-2"):
                    Item.objects.filter(pk=item.pk).update(criteria=item.criteria.replace(*figure))
            Edition.objects.filter(pk=edition.pk).update(title=new[0], title_en=new[1], content_hash=after)


def undo(apps, schema_editor):
    repair(apps, schema_editor, backwards=True)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0003_edition_access")]
    operations = [migrations.RunPython(repair, undo)]
