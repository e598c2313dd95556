import json

from django.core.management.base import BaseCommand, CommandError

from keiretsu.catalogue import selectors, services
from keiretsu.catalogue.loader import CatalogueError


class Command(BaseCommand):
    help = "Guideline catalogues: load edition files, list what is loaded."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        load = actions.add_parser("load", help="Load catalogue files (default: every shipped file).")
        load.add_argument("paths", nargs="*", help="YAML files; default: keiretsu/catalogue/data/*.yaml")
        listing = actions.add_parser("list", help="List the loaded editions.")
        listing.add_argument("--json", action="store_true", help="Print JSON.")
        # The official checksheet importer lives with the other Excel code (keiretsu/interchange).
        from keiretsu.interchange.cli import add_import_xlsx_arguments

        add_import_xlsx_arguments(actions.add_parser("import-xlsx", help="Import an edition from an official checksheet (.xlsx)."))

    def handle(self, *args, action, **options):
        if action == "load":
            return self.load(options["paths"])
        if action == "list":
            return self.list(as_json=options["json"])
        if action == "import-xlsx":
            from keiretsu.interchange.cli import import_xlsx

            import_xlsx(self, **options)

    def load(self, paths):
        try:
            results = services.catalogue_load_files(paths)
        except CatalogueError as exc:
            raise CommandError("Nothing was loaded:\n" + "\n".join(exc.problems)) from None
        for result in results:
            edition = result.edition
            state = "loaded" if result.created else "already loaded, unchanged"
            self.stdout.write(f"{edition.guideline.slug} {edition.code}: {state} ({edition.items.count()} items)")

    def list(self, *, as_json):
        summaries = [selectors.edition_summary(edition) for edition in selectors.editions()]
        if as_json:
            self.stdout.write(json.dumps(summaries, ensure_ascii=False, indent=2))
            return
        for s in summaries:
            levels = ", ".join(f"{code} {n}" for code, n in s["levels"].items())
            self.stdout.write(
                f"{s['guideline']} {s['edition']}: {s['title']}: {s['items']} items, "
                f"{len(s['sections'])} sections" + (f" ({levels})" if levels else "")
            )
