from allauth.account.decorators import reauthentication_required
from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from keiretsu.lib.refusals import NotAllowed

from . import services
from .models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(label=_("What the token is for"), max_length=100)


@login_required
@reauthentication_required(allow_get=True)
def tokens(request):
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        except NotAllowed as exc:
            form.add_error(None, exc.message)
        else:
            form = TokenForm()
    return render(
        request,
        "api/tokens.html",
        {"tokens": ApiToken.objects.filter(user=request.user, revoked_at=None), "form": form, "secret": secret},
    )


@require_POST
@login_required
def token_revoke(request, token_id):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    services.api_token_revoke(user=request.user, token=token)
    return redirect("api_tokens")
