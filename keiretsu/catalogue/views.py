from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services


@login_required
def edition_list(request):
    visible = list(selectors.editions(selectors.user_organisation_ids(request.user)))
    has_enterprise = any(edition.guideline.slug == "jama-enterprise" for edition in visible)
    return render(request, "catalogue/edition_list.html", {"editions": visible, "has_enterprise": has_enterprise})


@require_POST
@login_required
def edition_instance_wide(request, edition_id):
    """The administrator makes an organisation's imported edition available to every organisation."""
    if not request.user.is_staff:
        raise Http404
    edition = selectors.edition_for(None, edition_id)
    services.edition_make_instance_wide(actor=request.user, edition=edition)
    messages.success(request, _("The edition is now available to every organisation."))
    return redirect("catalogue:detail", edition.pk)


@login_required
def edition_detail(request, edition_id):
    organisations = selectors.user_organisation_ids(request.user)
    edition = selectors.edition_for(organisations, edition_id)  # 404: another company's import
    structure = selectors.edition_structure(edition)
    related = selectors.related_items(edition, structure.items, organisations)
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
