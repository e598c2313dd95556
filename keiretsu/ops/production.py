"""What production needs before it starts: read from the environment, before Django loads
(settings.py itself refuses DEBUG off without SECRET_KEY, naming only that one)."""

REQUIRED = {
    "SECRET_KEY": "a long random string (python -c 'import secrets; print(secrets.token_urlsafe(50))')",
    "ALLOWED_HOSTS": "the host names the site answers to, comma-separated (e.g. keiretsu.example.jp)",
    "SITE_URL": "the public address used in e-mailed links (e.g. https://keiretsu.example.jp)",
}


def debug_on(environ) -> bool:
    return environ.get("DEBUG", "true").strip().lower() in ("1", "true", "yes", "on")


def missing_settings(environ) -> list[str]:
    if debug_on(environ):
        return []
    return [name for name in REQUIRED if not environ.get(name, "").strip()]


def refusal(missing: list[str]) -> str:
    lines = ["Keiretsu will not start in production (DEBUG is off) without these settings:"]
    lines += [f"  {name}: {REQUIRED[name]}" for name in missing]
    lines.append("Set them in the environment (deploy/keiretsu.env.example; docs/deploy.md).")
    return "\n".join(lines)
