"""Facets: for some fields, what the videos matching a search's filters hold (how many have a
value, counts per value or option, min, max, average), in a shape per kind of field."""

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field

from app.field_types import FieldType
from app.models.base import Input, JsonNumber
from app.models.video_search import Condition

MAX_FACET_FIELDS = 20


class VideoFacetsQuery(Input):
    """The body of POST /lists/{list_id}/videos/facets."""

    filters: Annotated[list[Condition], Field(max_length=20)] = Field(
        default_factory=list, description="the same conditions as a search's (AND)"
    )
    fields: Annotated[list[UUID], Field(min_length=1, max_length=MAX_FACET_FIELDS)] = Field(
        description=f"the field ids to count (1..{MAX_FACET_FIELDS}); one facet each, in the order "
        "first asked"
    )


class _Facet(BaseModel):
    field_id: UUID
    field_type: FieldType
    filled: int = Field(description="matching videos that hold a value of the field")
    empty: int = Field(description="matching videos that hold none")


class OptionCount(BaseModel):
    value: str
    count: int


class RatingCount(BaseModel):
    value: JsonNumber
    count: int


class BooleanCount(BaseModel):
    value: bool
    count: int


class OptionsFacet(_Facet):
    """select: every option, in config order, zeros included; multi_select: the same, a video
    counted once for each option it holds."""

    counts: list[OptionCount]


class RatingFacet(_Facet):
    """Every value 0..max_rating (and any other value held), with min, max and avg."""

    counts: list[RatingCount]
    min: JsonNumber | None
    max: JsonNumber | None
    avg: JsonNumber | None = Field(description="rounded to 2 decimals; null when none is filled")


class BooleanFacet(_Facet):
    counts: list[BooleanCount] = Field(description="true, then false")


class NumberFacet(_Facet):
    min: JsonNumber | None
    max: JsonNumber | None
    avg: JsonNumber | None = Field(description="rounded to 2 decimals; null when none is filled")


class DateFacet(_Facet):
    min: date | None
    max: date | None


class PresenceFacet(_Facet):
    """text and url: filled and empty only."""


# The shape of each field type's facet: TypeSpec.facet in app/field_types.py.
Facet = OptionsFacet | RatingFacet | BooleanFacet | NumberFacet | DateFacet | PresenceFacet


class VideoFacets(BaseModel):
    total: int = Field(description="videos matching the filters")
    facets: list[Facet] = Field(description="one per requested field, in the order asked")
