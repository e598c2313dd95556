"""`keiretsu catalogue import-xlsx FILE --guideline jama-enterprise --edition 2.3`

The catalogue command (keiretsu/catalogue/management/commands/catalogue.py) delegates its
import-xlsx action here: read the official checksheet, print the preview (counts per level
and per label, warnings), then create the edition with catalogue.services.edition_load.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

from django.core.management.base import CommandError
from django.utils import translation

from keiretsu.catalogue.loader import CatalogueError
from keiretsu.catalogue.services import edition_load

from . import official
from .workbooks import WorkbookRefused, read_limited


def add_import_xlsx_arguments(parser):
    parser.add_argument("file", help="The official checksheet (.xlsx).")
    parser.add_argument("--guideline", required=True, help="Guideline id, e.g. jama-enterprise.")
    parser.add_argument("--edition", required=True, help="Edition id, e.g. 2.3.")
    parser.add_argument("--title", default="", help="Edition title (default: エンタープライズ版 <edition> 版).")
    parser.add_argument("--published", default="", help="Publication date, YYYY-MM-DD.")
    parser.add_argument("--dry-run", action="store_true", help="Show the preview only; create nothing.")
    parser.add_argument("--yes", action="store_true", help="Create the edition without asking.")


def import_xlsx(command, *, file, guideline, edition, title="", published="", dry_run=False, yes=False, **_options):
    out = command.stdout
    published_date = None
    if published:
        try:
            published_date = datetime.date.fromisoformat(published)
        except ValueError:
            raise CommandError(f"--published {published!r} is not a date (YYYY-MM-DD)") from None
    path = Path(file)
    try:
        with path.open("rb") as stream:
            data = read_limited(stream, size=path.stat().st_size)
    except OSError as exc:
        raise CommandError(f"{file}: {exc.strerror}") from None
    except WorkbookRefused as exc:
        raise CommandError(f"{file}: {exc.message}") from None
    with translation.override("ja"):
        preview = official.read_official_checksheet(
            data, file_name=path.name, guideline=guideline, edition=edition, title=title, published=published_date
        )
        if preview.problems:
            raise CommandError("Nothing was created:\n" + "\n".join(f"  {path.name}: {p}" for p in preview.problems))
        print_preview(out, preview)
    if preview.state == "unchanged":
        out.write(f"{guideline} {edition}: already loaded with this content; nothing to do.")
        return
    if dry_run:
        out.write("Dry run: nothing was created.")
        return
    if not yes:
        if not sys.stdin.isatty():
            raise CommandError("Nothing was created: add --yes to create the edition without a question.")
        answer = input(f"Create {guideline} {edition} with {preview.total} items? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            out.write("Nothing was created.")
            return
    try:
        result = edition_load(spec=preview.spec)
    except CatalogueError as exc:
        raise CommandError("Nothing was created:\n" + "\n".join(exc.problems)) from None
    out.write(command.style.SUCCESS(f"{guideline} {edition}: created ({preview.total} items)."))
    return result


def print_preview(out, preview: official.EditionPreview):
    out.write(f"{preview.file_name}: sheet “{preview.sheet}”, header on row {preview.header_row}")
    out.write("  columns: " + ", ".join(f"{name} = {heading}" for name, heading in preview.columns.items()))
    levels = ", ".join(f"{code} {count}" for code, count in preview.by_level.items())
    out.write(f"  {preview.total} items ({levels}) in {len(preview.by_label)} labels; {len(preview.priority)} priority items")
    for label in preview.by_label:
        per_level = " ".join(f"{code}:{n}" for code, n in label["levels"].items() if n)
        out.write(f"    {label['code']:>3} {label['title']}: {label['count']} ({per_level})")
    if preview.joined_rows:
        out.write(f"  {preview.joined_rows} rows without an item number were joined to the item above.")
    for warning in preview.warnings:
        out.write(f"  warning: {warning}")
    for row in preview.level_disagreements:
        out.write(f"    No.{row['number']}: {row['level']} in the file, {row['reference']} in METI's cross-reference ({row['evidence']})")
