"""Text that other people wrote, made safe to put in an e-mail Keiretsu sends (no mail relay:
docs/supplychain.md). Nothing here decides who may send; `supplychain/outgoing.py` does.

- `name()`: an organisation's (self-chosen) name for a subject or a sentence: one line, at most
  40 characters, its links made unclickable.
- `quotation()`: text a user wrote (a request's message, a decline's reason), every line behind
  "> ", its links and addresses made unclickable, so the only links an e-mail holds are the
  instance's own (SITE_URL), written by the template.
"""

import re
import unicodedata

NAME_LENGTH = 40

# A scheme, "www.", or a host name with a dot and a top-level domain of letters (with or
# without a path): what mail programs turn into links.
_URL_CHARS = r"[a-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"
_LINKS = re.compile(
    r"(?i)(?P<email>(?<![a-z0-9._%+-])[a-z0-9._%+-]+@(?:[a-z0-9-]+\.)+[a-z]{2,24}(?![a-z0-9-]))"
    r"|(?P<url>(?<![a-z0-9.-])(?:[a-z][a-z0-9+.-]*://|www\.)" + _URL_CHARS + "+"
    r"|(?<![a-z0-9.-])(?:[a-z0-9-]+\.)+[a-z]{2,24}(?![a-z0-9-])(?:/" + _URL_CHARS + "*)?)"
)


def _one_line(text: str) -> str:
    text = "".join(" " if unicodedata.category(c).startswith("C") else c for c in text or "")
    return " ".join(text.split())


def defang(text: str) -> str:
    """Make links and e-mail addresses unclickable, keeping them readable: "https://evil.example/x"
    becomes "hxxps://evil[.]example/x", "a@evil.example" becomes "a[at]evil[.]example"."""

    def unclickable(match):
        value = match.group(0)
        if match.group("email"):
            return value.replace("@", "[at]").replace(".", "[.]")
        value = re.sub(r"(?i)^http", "hxxp", value)
        value = re.sub(r"(?i)^ftp", "fxp", value)
        return value.replace(".", "[.]").replace("://", "[:]//")

    return _LINKS.sub(unclickable, text)


def name(text: str) -> str:
    """An organisation's name for a subject or a sentence: one line, 40 characters at most."""
    text = _one_line(text)
    if len(text) > NAME_LENGTH:
        text = text[: NAME_LENGTH - 1] + "…"
    return defang(text)


def quotation(text: str) -> str:
    """User-written text as a quotation: each line behind "> ", links unclickable."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cleaned = ["".join(c for c in line if not unicodedata.category(c).startswith("C")) for line in lines]
    return "\n".join("> " + defang(line) for line in cleaned).rstrip()
