from django.core.management.base import BaseCommand, CommandError

from keiretsu.ops.backup import crypto, services


class Command(BaseCommand):
    help = (
        "Back up the database and the uploaded files into one archive (BACKUP_DIR by default), with a "
        "manifest and checksums; encrypted when BACKUP_ENCRYPTION_KEY is set; copied to BACKUP_COPY_TO. "
        "--verify FILE restores a backup into a scratch database and compares it with its manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="Write the archive to this file (it must not exist).")
        parser.add_argument("--verify", metavar="FILE", help="Verify this backup instead of taking one.")
        parser.add_argument("--and-verify", action="store_true", help="Verify the new backup after taking it.")
        parser.add_argument("--no-copy", action="store_true", help="Do not copy it to BACKUP_COPY_TO.")
        parser.add_argument("--prune", action="store_true", help="Then delete backups past the retention.")
        parser.add_argument("--no-encrypt", action="store_true", help="Do not encrypt, even with a key set.")
        parser.add_argument("--new-key", action="store_true", help="Print a new BACKUP_ENCRYPTION_KEY and stop.")

    def handle(self, *args, output=None, verify=None, and_verify=False, no_copy=False, prune=False, **options):
        if options["new_key"]:
            self.stdout.write(crypto.new_key())
            return
        try:
            if verify:
                result = services.backup_verify(path=verify)
                self.stdout.write(
                    f"Verified {verify}: every checksum matches; {result.tables} tables with {result.rows} rows "
                    f"restored in a scratch database match the manifest; {result.files} files."
                )
                return
            backup = services.backup_create(
                output=output,
                verify=and_verify,
                copy=not no_copy,
                prune=prune,
                encrypt=False if options["no_encrypt"] else None,
            )
        except services.BackupError as exc:
            raise CommandError(str(exc)) from None
        manifest = backup.manifest
        self.stdout.write(
            f"Backup written: {backup.path} ({backup.size} bytes{', encrypted' if backup.encrypted else ''}): "
            f"{manifest['database']['engine']} database, {len(manifest['tables'])} tables, "
            f"{sum(manifest['tables'].values())} rows, {manifest['files']} files."
        )
        if backup.verified:
            self.stdout.write("Verified: restored into a scratch database, it matches its manifest.")
        if backup.copied_to:
            self.stdout.write(f"Copied to {backup.copied_to}.")
        for name in backup.pruned:
            self.stdout.write(f"Deleted (past retention): {name}")
