"""When a company registers on Keiretsu, the customers' list entries naming its corporate
number are linked to it (their requests then appear in its inbox)."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from keiretsu.accounts.models import Organisation


@receiver(post_save, sender=Organisation, dispatch_uid="supplychain_link_new_organisation")
def link_new_organisation(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    from . import services

    # After commit: the owner's membership is written in the same transaction as the organisation.
    transaction.on_commit(lambda: services.link_new_organisation(instance.pk))
