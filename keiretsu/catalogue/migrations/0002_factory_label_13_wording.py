"""The factory edition 0.9, label 13 (items 44-49): the purpose keeps the document's 「ため、」.

Editions are immutable, but this is a repair of the shipped text, not a new edition: an
installation that loaded the earlier text gets the document's words and the content hash of
the corrected file (so `keiretsu catalogue load` stays idempotent). Answers are untouched.
"""

from django.db import migrations

BEFORE_HASH = "5eb2d5c8f01523c46577bbb290560cbfb447ce18f7a5fe9776b3cb05560e947f"
AFTER_HASH = "0a8ecbe9aca2c2b185c992aacff2355adad90d4fb4aa58f609c8eb4a2a3d4f6c"
BEFORE = "サイバー攻撃、内部情報漏えいを防止する"
AFTER = "サイバー攻撃、内部情報漏えいを防止するため、"


def repair(apps, schema_editor, *, old_hash=BEFORE_HASH, new_hash=AFTER_HASH, old_text=BEFORE, new_text=AFTER):
    Edition = apps.get_model("catalogue", "Edition")
    Item = apps.get_model("catalogue", "Item")
    for edition in Edition.objects.filter(guideline__slug="jama-factory", code="0.9", content_hash=old_hash):
        Item.objects.filter(edition=edition, section__code="13", purpose=old_text).update(purpose=new_text)
        Edition.objects.filter(pk=edition.pk).update(content_hash=new_hash)


def undo(apps, schema_editor):
    repair(apps, schema_editor, old_hash=AFTER_HASH, new_hash=BEFORE_HASH, old_text=AFTER, new_text=BEFORE)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]
    operations = [migrations.RunPython(repair, undo)]
