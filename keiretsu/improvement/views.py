from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from keiretsu.accounts.access import member_view
from keiretsu.catalogue.selectors import editions

from . import selectors, services
from .forms import TargetForm


@member_view
def targets(request, membership):
    """Each edition's target; the owner changes one (POST with its edition)."""
    with_levels = [edition for edition in editions() if edition.level_codes]
    if request.method == "POST":
        return _target_edit(request, membership, with_levels)
    found = selectors.targets_for(membership, with_levels)
    rows = [found[edition.pk] for edition in with_levels if edition.pk in found]
    return render(request, "improvement/targets.html", {"rows": rows})


def _target_edit(request, membership, with_levels):
    edition = next((e for e in with_levels if str(e.pk) == request.POST.get("edition")), None)
    if edition is None:
        raise Http404
    form = TargetForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("improvement:targets", org_id=membership.organisation_id)
    try:
        services.target_set(membership=membership, actor=request.user, edition=edition, **form.cleaned_data)
    except services.ImprovementError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The target has been saved."))
    return redirect("improvement:targets", org_id=membership.organisation_id)
