from django.core.management.base import BaseCommand, CommandError

from keiretsu.ops.backup import services


class Command(BaseCommand):
    help = (
        "Restore a backup (database and uploaded files) into an empty database. Every checksum is "
        "checked before anything is written; --force restores over existing data after backing it up."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup archive.")
        parser.add_argument(
            "--force", action="store_true", help="Replace existing data (a backup of it is taken first)."
        )

    def handle(self, *args, file, force=False, **options):
        try:
            restored = services.backup_restore(path=file, force=force)
        except services.BackupError as exc:
            raise CommandError(str(exc)) from None
        manifest = restored.manifest
        if restored.safety_backup:
            self.stdout.write(f"What was there before is backed up in {restored.safety_backup}.")
        self.stdout.write(
            f"Restored {file} (taken {manifest['created_at']} by Keiretsu {manifest['keiretsu_version']}): "
            f"{len(manifest['tables'])} tables, {restored.rows} rows, {restored.files} files."
        )
        if restored.pending_migrations:
            self.stdout.write(
                f"{restored.pending_migrations} migrations are newer than the backup: run `keiretsu migrate`."
            )
