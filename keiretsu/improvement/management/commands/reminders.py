import datetime

from django.core.management.base import BaseCommand, CommandError

from keiretsu.improvement import reminders as action_reminders
from keiretsu.improvement import tasks as action_tasks
from keiretsu.supplychain import reminders, tasks


class Command(BaseCommand):
    # Here rather than in supplychain: one daily sweep command for both kinds of reminder, in the
    # app that may import both (imports run one way: docs/architecture.md).
    help = (
        "Reminder e-mails for requests and improvement actions due soon or overdue. By default, queue the daily sweep for the "
        "worker (it then keeps itself scheduled); --now sends them at once, e.g. from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Send today's reminders now, without the worker.")
        parser.add_argument("--date", help="With --now: act as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, now=False, date=None, **options):
        if date and not now:
            raise CommandError("--date goes with --now")
        if now:
            try:
                today = datetime.date.fromisoformat(date) if date else None
            except ValueError:
                raise CommandError(f"--date: not a date: {date!r}") from None
            result = reminders.send_due(today)
            self.stdout.write(f"Reminders: {result['sent']} sent, {result['claimed'] - result['sent']} failed.")
            result = action_reminders.send_due(today)
            self.stdout.write(
                f"Action reminders: {result['sent']} sent, {result['claimed'] - result['sent']} failed."
            )
            return
        tasks.send_due_reminders.enqueue()
        action_tasks.send_action_reminders.enqueue()
        self.stdout.write("The reminder sweep is queued; the worker (keiretsu db_worker) runs it and then once a day.")
