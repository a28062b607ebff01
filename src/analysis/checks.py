"""Validation of parameter values, one function per kind of value: every module and the
notebook runner call these, so a bad value gets the same message wherever it is given."""

from __future__ import annotations

from numbers import Integral, Real

from .errors import ParameterError


def check_int(name: str, value, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as an int, if it is a whole number (not a bool) within the bounds."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ParameterError(f"{name}={value!r}: must be a whole number" + _bounds(minimum, maximum))
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ParameterError(f"{name}={value!r}: must be a whole number" + _bounds(minimum, maximum))
    return int(value)


def check_number(name: str, value, minimum: float | None = None, maximum: float | None = None,
                 exclusive_minimum: bool = False) -> float:
    """``value`` as a float, if it is a number (not a bool) within the bounds."""
    if isinstance(value, bool) or not isinstance(value, Real) or value != value:
        raise ParameterError(f"{name}={value!r}: must be a number" + _bounds(minimum, maximum, exclusive_minimum))
    below = minimum is not None and (value <= minimum if exclusive_minimum else value < minimum)
    if below or (maximum is not None and value > maximum):
        raise ParameterError(f"{name}={value!r}: must be a number" + _bounds(minimum, maximum, exclusive_minimum))
    return float(value)


def check_bool(name: str, value) -> bool:
    if not isinstance(value, bool):
        raise ParameterError(f"{name}={value!r}: must be true or false")
    return value


def check_choice(name: str, value, choices) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ParameterError(f"{name}={value!r}: choose one of {', '.join(map(repr, choices))}")
    return value


def _bounds(minimum, maximum, exclusive_minimum: bool = False) -> str:
    if minimum is not None and maximum is not None:
        return f" from {minimum}{' (excluded)' if exclusive_minimum else ''} to {maximum}"
    if minimum is not None:
        return f" {'above' if exclusive_minimum else 'of at least'} {minimum}"
    if maximum is not None:
        return f" of at most {maximum}"
    return ""
