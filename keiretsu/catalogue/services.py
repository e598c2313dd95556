"""Writes to the catalogue: loading an edition (in one transaction, audited), and who may use
an edition that is not instance-wide (an official checksheet an organisation imported)."""

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from keiretsu.accounts import audit
from keiretsu.lib.refusals import NotAllowed

from .loader import CatalogueError, EditionSpec, parse_catalogue
from .models import CatalogueEvent, CrossReference, Edition, EditionAccess, Guideline, Item, Section

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass
class LoadResult:
    edition: Edition
    created: bool


def edition_load(*, spec: EditionSpec, actor=None, organisation=None) -> LoadResult:
    """Create the edition described by `spec`, or do nothing if it is loaded unchanged.

    With `organisation`: the official checksheet that organisation received, imported for
    itself: the edition is seen by that organisation only (and by those it shares results
    with); the same checksheet imported by another organisation gives it access too.
    Refuses (CatalogueError) a different content under an edition id that is already loaded:
    assessments point at an edition's items, so an edition never changes once loaded.
    """
    slug, code = spec.key
    with transaction.atomic():
        existing = Edition.objects.filter(guideline__slug=slug, code=code).first()
        if existing is not None:
            if existing.content_hash == spec.content_hash:
                if organisation is None and not existing.is_instance_wide:
                    # The administrator loads what an organisation imported for itself: for everyone now.
                    return LoadResult(edition_make_instance_wide(actor=actor, edition=existing, checked=True), created=False)
                if organisation is not None and not existing.is_instance_wide:
                    _, granted = EditionAccess.objects.get_or_create(
                        edition=existing, organisation=organisation, defaults={"via": EditionAccess.Via.IMPORTED}
                    )
                    if granted:
                        _audit_import(actor, organisation, existing, len(spec.items), spec.content_hash)
                return LoadResult(existing, created=False)
            raise CatalogueError([
                f"{spec.file_name}: edition {code!r} of guideline {slug!r} is already loaded with different "
                f"content (loaded from {existing.file_name or 'another file'} on {existing.loaded_at:%Y-%m-%d}). "
                "A loaded edition never changes: publish the new text under a new edition id."
            ])
        guideline, _ = Guideline.objects.get_or_create(
            slug=slug,
            defaults={
                "title": spec.guideline["title"],
                "title_en": spec.guideline["title_en"],
                "publisher": spec.guideline["publisher"],
            },
        )
        edition = Edition.objects.create(
            guideline=guideline,
            code=code,
            title=spec.edition["title"],
            title_en=spec.edition["title_en"],
            published=spec.edition["published"],
            assessed_per=spec.edition["assessed_per"],
            source=spec.edition["source"],
            scale=spec.scale,
            levels=spec.levels,
            attributes=spec.edition["attributes"],
            content_hash=spec.content_hash,
            file_name=spec.file_name,
            is_instance_wide=organisation is None,
        )
        sections = {}
        for section in spec.sections:  # parents come before their children
            sections[section.code] = Section.objects.create(
                edition=edition,
                parent=sections.get(section.parent_code),
                code=section.code,
                title=section.title,
                title_en=section.title_en,
                description=section.description,
                position=section.position,
            )
        items = Item.objects.bulk_create([
            Item(
                edition=edition,
                section=sections[item.section_code],
                number=item.number,
                position=item.position,
                level=item.level,
                is_priority=item.priority,
                attributes=item.attributes,
                **item.texts,
            )
            for item in spec.items
        ])
        CrossReference.objects.bulk_create([
            CrossReference(item=item, guideline_slug=slug_, number=number)
            for item, item_spec in zip(items, spec.items, strict=True)
            for slug_, number in item_spec.refs
        ])
        if organisation is None:
            audit.record(
                actor=actor,
                organisation=None,
                event=CatalogueEvent.EDITION_LOADED,
                target=edition,
                target_label=f"{slug} {code}",
                after={"guideline": slug, "edition": code, "items": len(items), "content_hash": spec.content_hash},
            )
        else:
            EditionAccess.objects.create(edition=edition, organisation=organisation, via=EditionAccess.Via.IMPORTED)
            _audit_import(actor, organisation, edition, len(items), spec.content_hash)
    return LoadResult(edition, created=True)


def _audit_import(actor, organisation, edition, items, content_hash):
    audit.record(
        actor=actor,
        organisation=organisation,
        event=CatalogueEvent.EDITION_IMPORTED,
        target=edition,
        target_label=f"{edition.guideline.slug} {edition.code}",
        after={"guideline": edition.guideline.slug, "edition": edition.code, "items": items, "content_hash": content_hash},
    )


def edition_make_instance_wide(*, actor, edition: Edition, checked=False) -> Edition:
    """The instance administrator makes an edition an organisation imported available to all.
    (`checked`: the caller is the administrator's own load, e.g. `keiretsu catalogue load`.)"""
    if not checked and not (actor is not None and actor.is_staff):
        raise NotAllowed(_("Only an instance administrator can make an edition available to every organisation."))
    with transaction.atomic():
        locked = Edition.objects.select_for_update().select_related("guideline").get(pk=edition.pk)
        if locked.is_instance_wide:
            return locked
        locked.is_instance_wide = True
        locked.save(update_fields=["is_instance_wide"])
        audit.record(
            actor=actor,
            organisation=None,
            event=CatalogueEvent.EDITION_INSTANCE_WIDE,
            target=locked,
            target_label=f"{locked.guideline.slug} {locked.code}",
            before={"is_instance_wide": False},
            after={"is_instance_wide": True},
        )
    return locked


def edition_grant(*, edition: Edition, organisation, via) -> None:
    """`organisation` may use `edition` from now on: a supplier shared results against it with
    it, or a customer asked it to answer it. Called inside the share's or the request's audited
    transaction (whose audit row says what happened)."""
    if edition.is_instance_wide:
        return
    EditionAccess.objects.get_or_create(edition=edition, organisation=organisation, defaults={"via": via})


def catalogue_load_files(paths=None, *, actor=None) -> list[LoadResult]:
    """Load catalogue files (all shipped files by default). All are checked before any is written."""
    paths = sorted(DATA_DIR.glob("*.yaml")) if not paths else [Path(p) for p in paths]
    problems, specs = [], []
    for path in paths:
        try:
            specs.append(parse_catalogue(path))
        except CatalogueError as exc:
            problems.extend(exc.problems)
        except OSError as exc:
            problems.append(f"{path}: {exc.strerror}")
    if problems:
        raise CatalogueError(problems)
    with transaction.atomic():
        return [edition_load(spec=spec, actor=actor) for spec in specs]
