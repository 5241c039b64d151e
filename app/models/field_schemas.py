from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field

from app.models.base import Bool, Description, Input, Patch, Record, ShortName, WholeNumber
from app.models.custom_fields import FieldType

MAX_SCHEMA_FIELDS = 500  # fields in one schema


class SchemaFieldIn(Input):
    field_id: UUID
    # Left out: the field's position in the list sent (the fields are an ordered list).
    display_order: Annotated[WholeNumber, Field(ge=0, le=1_000_000)] | None = None
    show_on_card: Bool = False


class SchemaField(BaseModel):
    field_id: UUID
    name: str
    field_type: FieldType
    display_order: int
    show_on_card: bool


class FieldSchema(Record):
    id: UUID
    list_id: UUID
    name: str
    description: str
    fields: list[SchemaField]
    created_at: datetime
    updated_at: datetime


class FieldSchemaCreate(Input):
    name: ShortName
    description: Description = ""
    fields: Annotated[list[SchemaFieldIn], Field(max_length=MAX_SCHEMA_FIELDS)] = Field(
        default_factory=list
    )


class FieldSchemaUpdate(Patch):
    name: ShortName | None = None
    description: Description | None = None
