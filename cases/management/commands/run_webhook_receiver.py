"""Run a local webhook receiver that verifies signatures and prints the events it receives.

    python manage.py run_webhook_receiver --system hotline_12345 [--port 8765] [--configure]

``--configure`` points the system's webhook at this receiver (and turns it on), so ``make run`` plus a change
to one of its cases shows the flow. The secret is read from the system, or given with ``--secret``.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from accounts.models import ExternalSystem
from cases.integrations.receiver import Receiver


class Command(BaseCommand):
    help = "Run a local webhook receiver that verifies signatures and prints events."

    def add_arguments(self, parser):
        parser.add_argument("--system", help="external system code whose secret signs the deliveries")
        parser.add_argument("--secret", help="the signing secret (instead of --system)")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--configure", action="store_true", help="point the system's webhook here")

    def handle(self, *args, **options):
        secret = options["secret"]
        system = None
        if options["system"]:
            system = ExternalSystem.objects.filter(code=options["system"]).first()
            if system is None:
                raise CommandError(f"no external system {options['system']!r}")
            secret = secret or system.webhook_secret
            if not secret and options["configure"]:
                from cases.integrations.services import rotate_webhook_secret

                secret = rotate_webhook_secret(system, actor=None)
                self.stdout.write(f"new signing secret for {system.code}: {secret}")
        if not secret:
            raise CommandError("give --secret, or --system of a system with a secret (rotate it in admin)")

        def show(event):
            self.stdout.write(json.dumps(event, ensure_ascii=False, indent=2))

        receiver = Receiver(secret, host=options["host"], port=options["port"], on_event=show)
        if system and options["configure"]:
            ExternalSystem.objects.filter(pk=system.pk).update(webhook_url=receiver.url, webhook_enabled=True)
        self.stdout.write(f"receiving on {receiver.url} (Ctrl-C to stop)")
        try:
            receiver.server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            receiver.server.server_close()
            for problem in receiver.refused:
                self.stderr.write(f"refused: {problem}")
