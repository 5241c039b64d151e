from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import Field

from app.field_types import FieldType
from app.models.base import Input, Patch, Record, ShortName

__all__ = ["CustomField", "CustomFieldCreate", "CustomFieldUpdate", "FieldType"]


class CustomField(Record):
    id: UUID
    list_id: UUID
    name: str
    field_type: FieldType
    config: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class CustomFieldCreate(Input):
    name: ShortName
    field_type: FieldType
    # Its shape per type is checked by the database (custom_fields_*_config).
    config: dict[str, Any] = Field(default_factory=dict)


class CustomFieldUpdate(Patch):
    name: ShortName | None = None
    field_type: FieldType | None = None
    config: dict[str, Any] | None = None
