"""Existing accounts carried over to allauth: each gets its address as its primary
EmailAddress, verified where the person accepted a member invitation sent to it (the
invitation's mail reached them); otherwise they verify it at their next sign-in."""

from django.db import migrations


def carry_over(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    MemberInvitation = apps.get_model("accounts", "MemberInvitation")
    invited = {
        (user_id, email.lower())
        for user_id, email in MemberInvitation.objects.exclude(accepted_at=None).values_list("accepted_by_id", "email")
    }
    have = set(EmailAddress.objects.values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(
                user_id=user.pk,
                email=user.email.lower(),
                primary=True,
                verified=(user.pk, user.email.lower()) in invited,
            )
            for user in User.objects.exclude(pk__in=have).only("pk", "email")
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_security"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
