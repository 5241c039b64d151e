import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, ClassVar, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    StringConstraints,
    TypeAdapter,
    ValidationInfo,
    field_validator,
)

from app import field_types


class Input(BaseModel):
    """Request bodies: unknown properties are refused, strings are trimmed. (A NUL character,
    which PostgreSQL text cannot hold, is refused with the body: app/api/requests.py.)"""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Patch(Input):
    """Partial updates: a property left out keeps its value. null is refused, except for the
    properties in NULLABLE, where it clears the value."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    # Per property, so that the error names it (`field`), as every other one does.
    @field_validator("*", mode="before")
    @classmethod
    def null_only_where_clearable(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.NULLABLE:
            raise ValueError(f"{info.field_name} cannot be null; leave it out to keep its value")
        return value


class Record(BaseModel):
    """Rows read from the database."""

    model_config = ConfigDict(frozen=True)

    @classmethod
    def from_row(cls, row: Any) -> Self:
        return cls.model_validate(dict(row))

    @classmethod
    def from_rows(cls, rows: Iterable[Any]) -> list[Self]:
        # One validation for them all: a page of 51 videos in 71 us, one by one in 113.
        return _list_of(cls).validate_python([dict(row) for row in rows])


@cache
def _list_of(record: type[Record]) -> TypeAdapter[list[Any]]:
    return TypeAdapter(list[record])  # type: ignore[valid-type]


# Invisible format characters that the database's is_blank() ignores as it does spaces (0048).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def _not_blank(value: str) -> str:
    # Spaces are trimmed by then: a name of zero-width characters is refused in the same
    # words as one of spaces, here rather than as the database's 422.
    if not value.translate(_INVISIBLE).strip():
        raise ValueError("must not be empty or only whitespace")
    return value


# The same bounds as the database's CHECK constraints, so most mistakes stop at the API.
ShortName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(_not_blank),
]
ListName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_not_blank),
]
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    AfterValidator(_not_blank),
]
Description = Annotated[str, Field(max_length=2000)]
YoutubeId = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_-]{1,64}$")
]


def _iso_date(value: Any) -> Any:
    # A date travels as "YYYY-MM-DD" only: lax parsing would take timestamps and numbers.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value  # already read (a model built from another one)
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("must be a date as YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value} is not a real calendar date") from None


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


def _only_bool(value: Any) -> Any:
    # Litestar validates bodies with strict=False, which would let "yes", "off" or 1 pass for
    # a boolean; JSON has true and false.
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


Bool = Annotated[bool, BeforeValidator(_only_bool)]


def _only_int(value: Any) -> Any:
    # Litestar validates bodies with strict=False (which overrides a field's own Strict()), and
    # that reads true as 1, "5" as 5 and 5.0 as 5.
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("must be a whole number")
    return value


# A whole number in a request body, written as one.
WholeNumber = Annotated[int, BeforeValidator(_only_int)]

# asyncpg sends a numeric in PostgreSQL's binary form, whose exponent holds at most 131,072
# digits: past that it sent 0 (1e131072 was stored as 0). A number bound to SQL stays far
# inside; between this and 1e300 the database's own rule refuses a value
# (video_field_values_numeric_precision, migrations/0037).
MAX_NUMBER_EXPONENT = 1000


def bindable(value: Decimal) -> bool:
    """Whether asyncpg sends the number as it is: finite, and its exponent within
    MAX_NUMBER_EXPONENT either way."""
    return value.is_finite() and abs(value.adjusted()) <= MAX_NUMBER_EXPONENT


# A number written as JSON writes it, which a client may also send as a string ("4.50"):
# not "1_000", " 4 ", "+4" or "٣" (an Arabic-Indic 3), which Decimal() itself would read.
_NUMBER_TEXT = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")


def number_of(value: Any) -> Decimal | None:
    """The number a JSON value gives (a number, or a string that writes one as JSON does), or
    None."""
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return Decimal(value)  # exact already (a body's fractions come as Decimal)
    if isinstance(value, float):
        return Decimal(str(value))  # as written, not the double's binary expansion
    if isinstance(value, str) and _NUMBER_TEXT.fullmatch(value):
        return Decimal(value)
    return None


def _bindable_number(value: Any) -> Decimal:
    # Litestar validates bodies with strict=False, and pydantic's lax Decimal reads true as 1
    # and "1_000" as 1000: the number is read here, and only here (one call per value).
    number = number_of(value)
    if number is None:
        raise ValueError("must be a number")
    if not bindable(number):
        raise ValueError(f"{field_types.NUMERIC_PRECISION} (video_field_values_numeric_precision)")
    return number


# A number a request body gives for a value.
NumberIn = Annotated[Decimal, PlainValidator(_bindable_number, json_schema_input_type=Decimal)]


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


# NUMERIC comes back as Decimal; a JSON client wants a number (4, 4.5), not a string ("4").
# A stored value fits a double exactly (video_field_values_numeric_precision), so the float
# written is the value stored, digit for digit.
JsonNumber = Annotated[Decimal, PlainSerializer(_number, return_type=int | float, when_used="json")]
