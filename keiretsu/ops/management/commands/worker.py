from django_tasks_db.management.commands import db_worker

from keiretsu.ops import worker


class Command(db_worker.Command):
    help = (
        "The task worker (e-mails, reminders, benchmark recomputes, scheduled backups): django-tasks-db's "
        "worker with a heartbeat (/readyz) and recovery of tasks a stopped worker left running. "
        "Run one or more beside the web servers, on any machine that reaches the database."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(reload=False)

    def handle(self, *args, **options):
        from keiretsu.improvement import tasks as improvement_tasks
        from keiretsu.ops import tasks as ops_tasks
        from keiretsu.supplychain import tasks as supplychain_tasks

        heartbeat = worker.Heartbeat(options["worker_id"])
        heartbeat.beat_once()
        supplychain_tasks.schedule_reminder_sweep()
        improvement_tasks.schedule_action_reminder_sweep()
        ops_tasks.schedule_backup()
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stopping.set()
