from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field

from app.models.base import Input, Record, ShortName


class Tag(Record):
    id: UUID
    list_id: UUID
    name: str
    schema_id: UUID | None
    created_at: datetime
    updated_at: datetime


class TagCreate(Input):
    name: ShortName
    schema_id: UUID | None = None


class TagUpdate(Input):
    """schema_id: null detaches the schema; leaving it out keeps it (see model_fields_set)."""

    name: ShortName | None = None
    schema_id: UUID | None = None


class VideoTagsSet(Input):
    tag_ids: Annotated[list[UUID], Field(max_length=500)]
