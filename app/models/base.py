from decimal import Decimal
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, StringConstraints


class Input(BaseModel):
    """Request bodies: unknown properties are refused, strings are trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Record(BaseModel):
    """Rows read from the database."""

    model_config = ConfigDict(frozen=True)

    @classmethod
    def from_row(cls, row: Any) -> Self:
        return cls.model_validate(dict(row))


# The same bounds as the database's CHECK constraints, so most mistakes stop at the API.
ShortName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
ListName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Description = Annotated[str, Field(max_length=2000)]
YoutubeId = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_-]{1,64}$")
]


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


# NUMERIC comes back as Decimal; a JSON client wants a number (4, 4.5), not a string ("4").
JsonNumber = Annotated[Decimal, PlainSerializer(_number, return_type=int | float, when_used="json")]
