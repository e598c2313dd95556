"""`keiretsu demo_serve [ADDRESS]`: the development server, announcing the demo once.

Django's runserver prints its own banner; this prints the address it actually serves (the
port it bound) with the demo's sign-ins and where the enterprise edition comes from, once.
"""

from django.conf import settings
from django.core.management.commands.runserver import Command as RunserverCommand

from keiretsu.demo.benchmark import BODY_EMAIL
from keiretsu.demo.company import ADMIN_EMAIL, DEMO_EMAIL, DEMO_PASSWORD


def banner(url: str) -> str:
    return "\n".join([
        "",
        f"Keiretsu demo: {url}",
        f"  Supplier (デモ部品工業) and OEM (デモ自動車):  {DEMO_EMAIL} / {DEMO_PASSWORD}",
        f"  Industry body (デモ自動車部品工業会):         {BODY_EMAIL} / {DEMO_PASSWORD}",
        f"  Instance administrator:                      {ADMIN_EMAIL} / {DEMO_PASSWORD}",
        "    (administrators must use two-factor authentication: the first sign-in asks to set up an",
        "    authenticator app; docs/security.md)",
        "  The enterprise edition (JAMA's checksheet, 153 items) is not shipped: its text is not public.",
        "  Each company downloads the official checksheet from JAMA; its owner imports it under",
        "  組織 → エンタープライズ版チェックシートの取り込み (the administrator can share an import with everyone).",
        f"  E-mails are printed below, readable; their links point at {settings.SITE_URL}.",
        "  Stop with CONTROL-C.",
        "",
    ])


class Command(RunserverCommand):
    help = "Serve the demo (the development server), announcing its address and sign-ins once."

    def on_bind(self, server_port):
        host = f"[{self.addr}]" if self._raw_ipv6 else ("0.0.0.0" if self.addr == "0" else self.addr)  # noqa: S104
        self.stdout.write(banner(f"{self.protocol}://{host}:{server_port}/"))
