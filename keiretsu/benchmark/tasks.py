"""Background work of the benchmark: recomputing a release (Django's tasks framework).

With the default ImmediateBackend the task runs at once, inside the request; with a
database-backed worker (django-tasks-db) it runs in the worker and the page says so.
"""

from django.tasks import task

from keiretsu.accounts.models import Membership, User
from keiretsu.catalogue.models import Edition

from . import services
from .models import Round


@task()
def recompute_release(*, membership_id: int, actor_id: int | None, round_id: int, edition_id: int) -> int:
    membership = Membership.objects.select_related("organisation").get(pk=membership_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    release = services.release_recompute(
        membership=membership,
        actor=actor,
        round=Round.objects.select_related("body").get(pk=round_id),
        edition=Edition.objects.select_related("guideline").get(pk=edition_id),
    )
    return release.pk
