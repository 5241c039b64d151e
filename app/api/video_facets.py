from uuid import UUID

from litestar import Controller, post
from litestar.params import FromPath, JSONBody

from app.api.dependencies import Read
from app.models.video_facets import VideoFacets, VideoFacetsQuery
from app.repositories import video_facets


class VideoFacetsController(Controller):
    path = "/lists/{list_id:uuid}/videos/facets"
    tags = ["videos"]

    @post("/", operation_id="videoFacets", status_code=200)
    async def facets(
        self, read: Read, list_id: FromPath[UUID], data: JSONBody[VideoFacetsQuery]
    ) -> VideoFacets:
        """For each field asked for, what the videos matching the filters hold: how many have
        a value and how many not, counts per option or value, min, max and average by type."""
        return await read(video_facets.facets, list_id=list_id, query=data)
