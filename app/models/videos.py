from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field

from app.models.base import Input, JsonNumber, Patch, Record, Title, YoutubeId

# A value as JSON: a number (rating, number), a string (select, text, url), a boolean, a date
# ("YYYY-MM-DD"), a list of options (multi_select); null: none.
Value = str | JsonNumber | bool | date | list[str] | None
MAX_INCLUDED_FIELDS = 20
# Field ids whose values a page's items carry (search body, or ?include_fields= on the list).
IncludedFields = Annotated[list[UUID], Field(max_length=MAX_INCLUDED_FIELDS)]


class Video(Record):
    id: UUID
    list_id: UUID
    youtube_id: str
    title: str
    created_at: datetime
    updated_at: datetime
    fields: dict[UUID, Value] | None = Field(
        default=None,
        description="The values of the fields named in include_fields (null where a video has "
        "none); absent (null) unless include_fields was given.",
    )


class VideoCreate(Input):
    youtube_id: YoutubeId
    title: Title


class VideoUpdate(Patch):
    youtube_id: YoutubeId | None = None
    title: Title | None = None


class VideoPage(BaseModel):
    items: list[Video]
    next_cursor: str | None
