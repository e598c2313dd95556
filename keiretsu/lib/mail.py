"""E-mail printed to the console as people read it (development and the demo).

Django's console backend prints the MIME message: Japanese subjects and bodies arrive
base64-encoded, unreadable. This one prints the headers decoded and each text part as text.
"""

from email import policy
from email.parser import BytesParser

from django.core.mail.backends.console import EmailBackend


class ReadableConsoleBackend(EmailBackend):
    def write_message(self, message):
        parsed = BytesParser(policy=policy.default).parsebytes(message.message().as_bytes())
        lines = [f"{name}: {parsed[name]}" for name in ("From", "To", "Cc", "Subject", "Date") if parsed[name]]
        for part in parsed.walk():
            if part.is_multipart():
                continue
            content_type = part.get_content_type()
            if part.get_filename():
                lines.append(f"[attachment {part.get_filename()} ({content_type})]")
            elif content_type.startswith("text/"):
                if content_type != "text/plain":
                    lines.append(f"[{content_type}: {len(part.get_content())} characters, not shown]")
                    continue
                lines.extend(["", part.get_content().rstrip("\n")])
            else:
                lines.append(f"[{content_type}, not shown]")
        self.stream.write("\n".join(lines) + "\n")
        self.stream.write("-" * 79 + "\n")
