from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Self
from uuid import UUID

from pydantic import BaseModel, Field, model_validator

from app.errors import Problem
from app.models.base import Bool, Input, JsonNumber, Record
from app.models.custom_fields import CustomField, FieldType

VALUE_COLUMNS = ("value_text", "value_numeric", "value_boolean")
# The column each field type stores its value in (rule 2 of the schema).
COLUMN_OF_TYPE = {
    FieldType.RATING: "value_numeric",
    FieldType.SELECT: "value_text",
    FieldType.TEXT: "value_text",
    FieldType.BOOLEAN: "value_boolean",
}
MAX_TEXT_BYTES = 2000  # video_field_values_text_size
MAX_BATCH = 5000  # rows in one value batch or bulk edit


class ValueIn(Input):
    """Exactly one of the three value columns, checked before any SQL runs."""

    value_text: str | None = None
    value_numeric: Annotated[Decimal, Field(allow_inf_nan=False)] | None = None
    value_boolean: Bool | None = None

    @model_validator(mode="after")
    def exactly_one_value(self) -> Self:
        given = [name for name in VALUE_COLUMNS if getattr(self, name) is not None]
        if len(given) != 1:
            got = " and ".join(given) if given else "none"
            raise ValueError(
                f"exactly one of value_text, value_numeric, value_boolean must be set (got {got})"
            )
        return self

    @property
    def column(self) -> str:
        return next(name for name in VALUE_COLUMNS if getattr(self, name) is not None)


class FieldValueSet(ValueIn):
    """One item of PUT /lists/{list_id}/videos/{video_id}/fields."""

    field_id: UUID


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
    value: str | JsonNumber | bool | None
    updated_at: datetime | None


def value_problem(field: CustomField, value: ValueIn) -> tuple[str, str] | None:
    """The (rule, message) a value breaks against its field, mirroring the database's rules,
    or None when it fits. The database checks the same rules again on write."""
    expected = COLUMN_OF_TYPE[field.field_type]
    if value.column != expected:
        return (
            "video_field_values_value_matches_type",
            f'field "{field.name}" is a {field.field_type} field: '
            f"set {expected}, not {value.column}",
        )
    config = field.config
    if field.field_type is FieldType.RATING:
        assert value.value_numeric is not None
        top = config["max_rating"]
        if not 0 <= value.value_numeric <= top:
            return (
                "video_field_values_rating_in_range",
                f'rating {value.value_numeric} for field "{field.name}" is outside 0..{top}',
            )
    elif field.field_type is FieldType.SELECT:
        if value.value_text not in config["options"]:
            return (
                "video_field_values_select_option",
                f'value {value.value_text!r} for field "{field.name}" is not one of its options '
                f"{config['options']}",
            )
    elif field.field_type is FieldType.TEXT:
        assert value.value_text is not None
        if not value.value_text.strip():
            return "video_field_values_text_not_empty", f'text for field "{field.name}" is empty'
        if "max_length" in config and len(value.value_text) > config["max_length"]:
            return (
                "video_field_values_text_length",
                f'text for field "{field.name}" is {len(value.value_text)} characters long, '
                f"more than its max_length {config['max_length']}",
            )
        if len(value.value_text.encode()) > MAX_TEXT_BYTES:
            return (
                "video_field_values_text_size",
                f'text for field "{field.name}" is longer than {MAX_TEXT_BYTES} bytes',
            )
    return None


def value_problems(
    fields: dict[UUID, CustomField], items: Sequence[tuple[UUID | None, UUID, ValueIn]]
) -> list[Problem]:
    """Every problem of a batch of (video_id, field_id, value) items, each naming its item.
    Every field_id must be a key of `fields`."""
    problems = []
    for index, (video_id, field_id, value) in enumerate(items):
        broken = value_problem(fields[field_id], value)
        if broken:
            rule, message = broken
            problems.append(
                Problem(
                    rule=rule, message=message, field_id=field_id, video_id=video_id, index=index
                )
            )
    return problems
