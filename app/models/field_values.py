from datetime import date, datetime
from typing import Annotated, Self
from uuid import UUID

from pydantic import BaseModel, Field, RootModel, StringConstraints, model_validator

from app.field_types import VALUE_COLUMNS
from app.models.base import Bool, Input, IsoDate, JsonNumber, NumberIn, Record
from app.models.custom_fields import FieldType

MAX_BATCH = 5000  # rows in one value batch or bulk edit


# A value is stored as written: Input trims names and titles, not a value's text, where
# " b " may be an option of a select (trimmed, it was refused as no option at all).
AsWritten = Annotated[str, StringConstraints(strip_whitespace=False)]


class ValueIn(Input):
    """Exactly one of the value columns, checked before any SQL runs."""

    value_text: AsWritten | None = None
    value_numeric: NumberIn | None = None
    value_boolean: Bool | None = None
    value_date: IsoDate | None = None
    # A multi_select's options: 1..200 distinct strings (their rules: the field's).
    value_options: Annotated[list[AsWritten], Field(min_length=1, max_length=200)] | None = None

    @model_validator(mode="after")
    def exactly_one_value(self) -> Self:
        given = [name for name in VALUE_COLUMNS if getattr(self, name) is not None]
        if len(given) != 1:
            got = " and ".join(given) if given else "none"
            raise ValueError(f"exactly one of {', '.join(VALUE_COLUMNS)} must be set (got {got})")
        return self

    @property
    def column(self) -> str:
        return next(name for name in VALUE_COLUMNS if getattr(self, name) is not None)


class FieldValueSet(ValueIn):
    """One item of PUT /lists/{list_id}/videos/{video_id}/fields."""

    field_id: UUID


class FieldValueSets(RootModel[Annotated[list[FieldValueSet], Field(max_length=MAX_BATCH)]]):
    """The body of PUT /lists/{list_id}/videos/{video_id}/fields. A model, not a bare list, so
    that each problem names its item's index ("1.value_numeric"; of a bare list Litestar lost
    it: "exactly one of ..." named no item)."""


class BulkValueSet(ValueIn):
    video_id: UUID
    field_id: UUID


class ValueKey(Input):
    video_id: UUID
    field_id: UUID


class BulkEdit(Input):
    """Set and clear values on many videos of a list, all or nothing."""

    set: Annotated[list[BulkValueSet], Field(max_length=MAX_BATCH)] = Field(default_factory=list)
    clear: Annotated[list[ValueKey], Field(max_length=MAX_BATCH)] = Field(default_factory=list)


class FieldValue(Record):
    video_id: UUID
    field_id: UUID
    field_type: FieldType
    value_text: str | None
    value_numeric: JsonNumber | None
    value_boolean: bool | None
    value_date: date | None
    value_options: list[str] | None
    created_at: datetime
    updated_at: datetime


class BulkEditResult(BaseModel):
    set: int
    cleared: int


class VideoField(BaseModel):
    """A field that applies to a video, with the video's value (None when it has none)."""

    field_id: UUID
    name: str
    field_type: FieldType
    config: dict[str, object]
    display_order: int
    show_on_card: bool
    value: str | JsonNumber | bool | date | list[str] | None
    updated_at: datetime | None
