from datetime import datetime
from uuid import UUID

from app.models.base import Description, Input, ListName, Patch, Record


class BookmarkList(Record):
    id: UUID
    name: str
    description: str
    created_at: datetime
    updated_at: datetime


class ListCreate(Input):
    name: ListName
    description: Description = ""


class ListUpdate(Patch):
    name: ListName | None = None
    description: Description | None = None
