from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field, RootModel

from app.models.base import Input, Patch, Record, ShortName


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


class TagUpdate(Patch):
    """schema_id: null detaches the schema; leaving it out keeps it (see model_fields_set)."""

    NULLABLE = frozenset({"schema_id"})

    name: ShortName | None = None
    schema_id: UUID | None = None


TagIds = Annotated[list[UUID], Field(max_length=500)]


class TagIdsObject(Input):
    tag_ids: TagIds


class VideoTagsSet(RootModel[TagIdsObject | TagIds]):
    """A video's whole set of tags: {"tag_ids": [...]} or a bare array of tag ids."""

    @property
    def tag_ids(self) -> list[UUID]:
        return self.root.tag_ids if isinstance(self.root, TagIdsObject) else self.root
