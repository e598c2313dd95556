"""Personal API tokens: created and revoked by their user; only a hash is stored."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keiretsu.accounts import security
from keiretsu.accounts.models import AccountEvent
from keiretsu.accounts.selectors import has_verified_email
from keiretsu.lib.refusals import NotAllowed
from keiretsu.lib.tokens import new_token

from .models import ApiToken


def api_token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """Returns the token and its secret, which is shown once and never stored. Only for a
    verified address (docs/security.md)."""
    if not has_verified_email(user):
        raise NotAllowed(_("Verify your e-mail address before you create an API token."))
    secret, secret_hash = new_token()
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name.strip() or "API", token_hash=secret_hash, prefix=secret[:8])
        security.record_for_person(
            user=user, event=AccountEvent.API_TOKEN_CREATED, after={"name": token.name, "prefix": token.prefix}
        )
    return token, secret


def api_token_revoke(*, user, token: ApiToken):
    with transaction.atomic():
        if ApiToken.objects.filter(pk=token.pk, user=user, revoked_at=None).update(revoked_at=timezone.now()):
            security.record_for_person(
                user=user, event=AccountEvent.API_TOKEN_REVOKED, before={"name": token.name, "prefix": token.prefix}
            )
