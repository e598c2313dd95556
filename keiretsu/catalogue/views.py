from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from . import selectors
from .models import Edition


@login_required
def edition_list(request):
    return render(request, "catalogue/edition_list.html", {"editions": selectors.editions()})


@login_required
def edition_detail(request, edition_id):
    edition = get_object_or_404(Edition.objects.select_related("guideline"), pk=edition_id)
    structure = selectors.edition_structure(edition)
    related = selectors.related_items(edition, structure.items)
    sections = {s.pk: s for s in structure.sections}
    groups = {}
    for item in structure.items:
        section, items = groups.setdefault(item.section_id, (sections[item.section_id], []))
        item.show_purpose, item.show_requirement = selectors.shown_context(item, items[-1] if items else None, section)
        item.related = related.get(item.pk, [])
        item.attribute_rows = selectors.attribute_rows(edition, item)
        items.append(item)
    return render(
        request,
        "catalogue/edition_detail.html",
        {"edition": edition, "structure": structure, "groups": groups.values()},
    )
