"""Japanese corporate numbers (法人番号): 13 digits, the first of which is a check digit.

The check digit rule is the National Tax Agency's: for the 12 base digits P1..P12 counted from
the right, Q = 1 when n is odd and 2 when n is even, and the check digit is
9 - (sum(Pn * Qn) mod 9).
"""

import unicodedata


def normalise(value: str) -> str:
    """Full-width digits to ASCII, spaces and hyphens removed."""
    value = unicodedata.normalize("NFKC", value or "")
    return "".join(ch for ch in value if ch not in " -\u2010\u2212\u30fc")


def check_digit(base12: str) -> int:
    total = 0
    for n, digit in enumerate(reversed(base12), start=1):
        total += int(digit) * (1 if n % 2 else 2)
    return 9 - total % 9


def is_valid(number: str) -> bool:
    return len(number) == 13 and number.isascii() and number.isdigit() and int(number[0]) == check_digit(number[1:])


def with_check_digit(base12: str) -> str:
    """The full 13-digit number for 12 base digits (used by demo data and tests)."""
    return f"{check_digit(base12)}{base12}"
