from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post, put
from litestar.params import FromPath, JSONBody

from app.api.dependencies import Conn, Owner, Read
from app.api.responses import LOCATION, AnyRequest, created
from app.models.lists import BookmarkList, ListCreate, ListUpdate
from app.repositories import lists


class ListController(Controller):
    path = "/lists"
    tags = ["lists"]

    @post("/", operation_id="createList", response_headers=[LOCATION])
    async def create(
        self, request: AnyRequest, conn: Conn, owner: Owner, data: JSONBody[ListCreate]
    ) -> Response[BookmarkList]:
        return created(request, await lists.create(conn, owner=owner, data=data))

    @get("/", operation_id="listLists")
    async def list_all(self, read: Read, owner: Owner) -> list[BookmarkList]:
        return await read(lists.list_all, owner=owner)

    @get("/{list_id:uuid}", operation_id="getList")
    async def get(self, read: Read, list_id: FromPath[UUID]) -> BookmarkList:
        return await read(lists.get, list_id=list_id)

    @patch("/{list_id:uuid}", operation_id="updateList")
    async def update(
        self, conn: Conn, list_id: FromPath[UUID], data: JSONBody[ListUpdate]
    ) -> BookmarkList:
        return await lists.update(conn, list_id=list_id, data=data)

    @put("/{list_id:uuid}", operation_id="replaceList", include_in_schema=False)
    async def replace(
        self, conn: Conn, list_id: FromPath[UUID], data: JSONBody[ListUpdate]
    ) -> BookmarkList:
        return await lists.update(conn, list_id=list_id, data=data)

    @delete("/{list_id:uuid}", operation_id="deleteList")
    async def delete(self, conn: Conn, list_id: FromPath[UUID]) -> None:
        await lists.delete(conn, list_id=list_id)
