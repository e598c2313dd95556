from django.db import migrations, models
from django.db.models import F


def verify_invited_organisations(apps, schema_editor):
    """Organisations that accepted a supplier invitation for their own corporate number are
    verified by it (the customer vouched for the address). Every other existing organisation
    is an unverified claim; the links customers already have are kept."""
    Organisation = apps.get_model("accounts", "Organisation")
    SupplierInvitation = apps.get_model("supplychain", "SupplierInvitation")
    accepted = (
        SupplierInvitation.objects.filter(
            accepted_at__isnull=False,
            supplier__organisation__isnull=False,
            corporate_number=F("supplier__organisation__corporate_number"),
        )
        .order_by("accepted_at")
        .values_list("supplier__organisation", "accepted_at")
    )
    done = set()
    for organisation_id, accepted_at in accepted:
        if organisation_id in done:
            continue
        done.add(organisation_id)
        Organisation.objects.filter(pk=organisation_id, verified_at=None).update(
            verified_at=accepted_at,
            verified_via="invitation",
            verification_note="Accepted a supplier invitation before verification existed (migration).",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_organisation_verified_identity"),
        ("supplychain", "0002_share_overall_counts"),
    ]

    operations = [
        migrations.AlterField(
            model_name="share",
            name="ended",
            field=models.CharField(
                blank=True,
                choices=[
                    ("withdrawn", "Withdrawn"),
                    ("superseded", "Replaced by a newer share"),
                    ("detached", "Ended: the sharer was not the verified company"),
                ],
                max_length=16,
            ),
        ),
        migrations.RunPython(verify_invited_organisations, migrations.RunPython.noop),
    ]
