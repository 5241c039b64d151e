from datetime import datetime
from typing import Annotated, Any, Self
from uuid import UUID

from pydantic import (
    Field,
    ModelWrapValidatorHandler,
    RootModel,
    TypeAdapter,
    model_validator,
)

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


_TAG_IDS: TypeAdapter[list[UUID]] = TypeAdapter(TagIds)


class VideoTagsSet(RootModel[TagIdsObject | TagIds]):
    """A video's whole set of tags: {"tag_ids": [...]} or a bare array of tag ids."""

    @model_validator(mode="wrap")
    @classmethod
    def _one_shape(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        # The shape the body has, validated alone: validated as the union, one wrong id
        # answered "TagIdsObject.tag_ids.0: ...; list[uuid]: Input should be a valid list".
        if isinstance(data, dict):
            return cls.model_construct(TagIdsObject.model_validate(data))
        if isinstance(data, list):
            return cls.model_construct(_TAG_IDS.validate_python(data))
        if isinstance(data, cls):
            return data
        raise ValueError('the body is {"tag_ids": [...]} or an array of tag ids')

    @property
    def tag_ids(self) -> list[UUID]:
        return self.root.tag_ids if isinstance(self.root, TagIdsObject) else self.root
