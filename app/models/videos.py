from datetime import datetime
from uuid import UUID

from pydantic import BaseModel

from app.models.base import Input, Patch, Record, Title, YoutubeId


class Video(Record):
    id: UUID
    list_id: UUID
    youtube_id: str
    title: str
    created_at: datetime
    updated_at: datetime


class VideoCreate(Input):
    youtube_id: YoutubeId
    title: Title


class VideoUpdate(Patch):
    youtube_id: YoutubeId | None = None
    title: Title | None = None


class VideoPage(BaseModel):
    items: list[Video]
    next_cursor: str | None
