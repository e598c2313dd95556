"""Personal API tokens: created and revoked by their user; only a hash is stored."""

from django.db import transaction
from django.utils import timezone

from keiretsu.lib.tokens import new_token

from .models import ApiToken


def api_token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """Returns the token and its secret, which is shown once and never stored."""
    secret, secret_hash = new_token()
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name.strip() or "API", token_hash=secret_hash, prefix=secret[:8])
    return token, secret


def api_token_revoke(*, user, token: ApiToken):
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk, user=user, revoked_at=None).update(revoked_at=timezone.now())
