"""Numbers as analysts write them, and the rounding policy used to compare them.

Policy: every stated number is compared at the precision it is written in. The
computed value is kept exact (Decimal) and rounded half-up to the stated number of
decimals; the two must then be equal. So "40.8" matches 40.8386 and "3.7785"
matches 3.778488, but "40.9" and "3.7784" do not.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, getcontext, localcontext
from functools import wraps
from typing import ParamSpec, TypeVar

from builder.diagnostics import Location

# A signed decimal as written: +1, -1, −1 (U+2212), 2.85, 100.
NUMBER = r"[+\-\u2212\u2013]?\d+(?:\.\d+)?"
NUMBER_RE = re.compile(NUMBER)
_FULL_NUMBER = re.compile(rf"\s*({NUMBER})\s*(%?)\s*")
_FRACTION = re.compile(rf"\s*({NUMBER})\s*/\s*({NUMBER})\s*")
# Multiplication as written: ×, x, X, *, ·.
TIMES = r"[×xX*·]"
MINUS = r"[\-\u2212\u2013]"


@dataclass(frozen=True)
class Stated:
    """A number exactly as a report states it, and where."""

    value: Decimal
    text: str
    location: Location

    @property
    def decimals(self) -> int:
        exponent = self.value.as_tuple().exponent
        return max(0, -exponent) if isinstance(exponent, int) else 0


@dataclass(frozen=True)
class StatedText:
    """A word or label a report states (a zone, a sub-label), and where."""

    text: str
    location: Location


def to_decimal(text: str) -> Decimal:
    """Parse one number token; unicode minus and en dash count as minus."""
    cleaned = text.strip().replace("\u2212", "-").replace("\u2013", "-")
    if cleaned.startswith("+"):
        cleaned = cleaned[1:]
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - guarded by the regexes
        raise ValueError(f"not a number: {text!r}") from exc


def parse_plain(text: str) -> Decimal | None:
    """A cell holding one number, optionally with a percent sign ("15%", "+1")."""
    match = _FULL_NUMBER.fullmatch(text)
    return to_decimal(match.group(1)) if match else None


def parse_fraction(text: str) -> tuple[Decimal, Decimal] | None:
    """A cell holding "2/9": the total and what it is out of."""
    match = _FRACTION.fullmatch(text)
    if not match:
        return None
    return to_decimal(match.group(1)), to_decimal(match.group(2))


# The longest number a report may state, and the digits sums and products of such numbers are computed
# with: more than the 28 of Python's default context, so numbers written with many decimals add up
# exactly (Time % 25.0000000000000000000000000000001), and enough for any product of two of them and sums
# of those. A longer number is an error where it is written (`too_long`), never rounded in silence.
MAX_WHOLE_DIGITS = 20
MAX_DECIMALS = 30
PRECISION = 2 * (MAX_WHOLE_DIGITS + MAX_DECIMALS) + 20
P = ParamSpec("P")
R = TypeVar("R")


def exact(function: Callable[P, R]) -> Callable[P, R]:
    """`function` run with decimals of `PRECISION` digits (the caller's context is left as it was)."""
    @wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with localcontext() as context:
            context.prec = PRECISION
            return function(*args, **kwargs)
    return run


def too_long(value: Decimal) -> str | None:
    """Why `value` has too many digits to be computed with exactly, or None."""
    exponent = value.as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    whole = max(value.adjusted() + 1, 0) if value else 0
    if whole <= MAX_WHOLE_DIGITS and decimals <= MAX_DECIMALS:
        return None
    return (f"{whole} digit(s) before the point and {decimals} after; numbers of at most {MAX_WHOLE_DIGITS} "
            f"before and {MAX_DECIMALS} after are computed exactly")


def round_half_up(value: Decimal, places: int) -> Decimal:
    """`value` to `places` decimals, half up; exact however many digits (a stated number may have more
    than the 28 a decimal context holds, and quantize would then fail rather than round)."""
    digits = value.adjusted() + places + 2
    context = getcontext() if digits <= getcontext().prec else Context(prec=digits)
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=context)


def agrees(stated: Decimal, computed: Decimal, places: int) -> bool:
    """True when `computed`, rounded half-up to `places` decimals, equals `stated`."""
    return round_half_up(computed, places) == stated


def format_number(value: Decimal, places: int | None = None) -> str:
    """Show a computed number the way a report would write it."""
    if places is not None:
        value = round_half_up(value, places)
    return format(value, "f")

