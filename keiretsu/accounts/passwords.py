"""A new password may not be one of the person's recent ones (METI SCS 4-1-6-2: change a
password quickly when it may have leaked, and not back to an old one)."""

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class RecentPasswordValidator:
    """Refuses any of the last `keep` passwords (hashes of them are kept, nothing else)."""

    def __init__(self, keep=None):
        self.keep = keep or getattr(settings, "PASSWORD_HISTORY", 5)

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        from .models import PasswordHistory

        recent = PasswordHistory.objects.filter(user_id=user.pk).order_by("-created_at", "-pk")[: self.keep]
        hashes = [entry.password for entry in recent]
        if user.password and user.has_usable_password():
            hashes.append(user.password)
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(
                ngettext(
                    "Choose a password you have not used recently (not your last one).",
                    "Choose a password you have not used recently (not one of your last %(keep)d).",
                    self.keep,
                )
                % {"keep": self.keep},
                code="password_recently_used",
            )

    def password_changed(self, password, user=None):
        if user is None or user.pk is None:
            return
        from .models import PasswordHistory

        PasswordHistory.objects.create(user_id=user.pk, password=make_password(password))
        stale = PasswordHistory.objects.filter(user_id=user.pk).order_by("-created_at", "-pk")[self.keep :]
        PasswordHistory.objects.filter(pk__in=[entry.pk for entry in stale]).delete()

    def get_help_text(self):
        return _("Not one of your recent passwords.")
