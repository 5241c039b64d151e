from uuid import UUID

from litestar import Controller, post
from litestar.params import FromPath, JSONBody

from app.api.dependencies import Read
from app.models.video_search import VideoSearch
from app.models.videos import VideoPage
from app.repositories import video_search


class VideoSearchController(Controller):
    path = "/lists/{list_id:uuid}/videos/search"
    tags = ["videos"]

    @post("/", operation_id="searchVideos", status_code=200)
    async def search(
        self, read: Read, list_id: FromPath[UUID], data: JSONBody[VideoSearch]
    ) -> VideoPage:
        """Videos matching every filter, sorted, one page at a time (pass next_cursor back)."""
        return await read(video_search.search, list_id=list_id, query=data)
