"""The Litestar application factory: `uvicorn app.api.app:create_app --factory`."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

from litestar import Litestar, MediaType, Router, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.enums import ScopeType
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import (
    JsonRenderPlugin,
    RedocRenderPlugin,
    SwaggerRenderPlugin,
    YamlRenderPlugin,
)
from litestar.openapi.spec import Components
from litestar.static_files import create_static_files_router
from litestar.types import (
    HTTPScope,
    LifeSpanReceive,
    LifeSpanScope,
    LifeSpanSend,
    Message,
    Receive,
    Scope,
    Send,
)
from openapi_ui_bundles import redoc, swagger_ui

from app.api.auth import PUBLIC, SECURITY_SCHEMES, bearer_authentication, document_bearer
from app.api.custom_fields import CustomFieldController
from app.api.dependencies import (
    document_read_after,
    provide_connection,
    provide_owner,
    provide_read,
    send_read_after,
)
from app.api.errors import EXCEPTION_HANDLERS, MAX_BODY_BYTES, document_errors, send_allow
from app.api.field_schemas import FieldSchemaController
from app.api.field_values import BulkValueController, VideoFieldController
from app.api.lists import ListController
from app.api.requests import (
    BodiesAsValidated,
    DecimalsAsNumbers,
    JsonBodyRequest,
    RootModelsAsTheirRoot,
)
from app.api.tags import TagController, VideoTagController
from app.api.video_facets import VideoFacetsController
from app.api.video_search import VideoSearchController
from app.api.videos import VideoController
from app.config import Settings
from app.db import connections
from app.db.execute import translated_errors
from app.db.pool import create_pool, refuse_a_login_rls_skips
from app.db.replicas import open_replicas
from app.errors import Unavailable
from app.models.base import Record
from app.models.purges import PurgeBacklog
from app.purger import Purger
from app.repositories import purges


class App(Litestar):
    """The app, answering HEAD as GET without its body (RFC 9110 §9.3.2: what a GET would
    answer, headers and status alike): Litestar routes HEAD only to handlers declared for it,
    and answered 405 to a HEAD of every resource. Where no GET is, HEAD is the same 405."""

    async def __call__(
        self,
        scope: Scope | LifeSpanScope,
        receive: Receive | LifeSpanReceive,
        send: Send | LifeSpanSend,
    ) -> None:
        if scope["type"] == ScopeType.HTTP and cast(HTTPScope, scope)["method"] == "HEAD":
            scope = cast(Scope, {**scope, "method": "GET"})
            send = _headers_only(cast(Send, send))
        await super().__call__(scope, receive, send)


def _headers_only(send: Send) -> Send:
    async def send_without_body(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = cast(Message, {**message, "body": b""})
        await send(message)

    return send_without_body


class Health(Record):
    status: str
    database: str
    # Deleted lists and fields whose rows are still being purged, over every owner.
    purges: PurgeBacklog
    # With replicas (DATABASE_REPLICA_URLS): each one's status and lag in seconds, by name.
    replicas: dict[str, dict[str, Any]] | None = None


@get(
    "/health",
    operation_id="health",
    tags=["health"],
    media_type=MediaType.JSON,
    opt={**PUBLIC, "errors": (503,)},
)
async def health(state: State) -> Health:
    """200 when the database answers, 503 (problem details) when it does not; `purges` tells
    how much deleted data is still being purged in the background; with replicas, each one's
    status (ok, lagging, down, not_a_replica) and lag in seconds, in the 503 too."""
    try:
        conn, tx = await connections.begin(state.pool, owner=None, settings=state.settings)
        try:
            with translated_errors(conn):
                backlog = await purges.backlog(conn)
        finally:
            await connections.end_read(state.pool, conn, tx)
    except Unavailable as down:
        if not state.replicas.configured:
            raise
        # An operator still sees each node: which replicas answer while the primary does not.
        replicas = await state.replicas.check_all()
        raise Unavailable(down.message, database="down", replicas=replicas) from down.__cause__
    replicas = await state.replicas.check_all() if state.replicas.configured else None
    return Health(status="ok", database="ok", purges=backlog, replicas=replicas)


def create_app(settings: Settings | None = None) -> App:
    settings = settings or Settings.from_env()
    # First: with no token key configured, the app refuses to start rather than run open.
    authentication = bearer_authentication(settings)

    @asynccontextmanager
    async def db_pool(app: Litestar) -> AsyncIterator[None]:
        # min_size=0: the app starts (and answers /health with 503) even while the database
        # is down, and reconnects by itself when it is back.
        app.state.pool = await create_pool(settings, min_size=0)
        try:
            await refuse_a_login_rls_skips(app.state.pool, settings)
            yield
        finally:
            await app.state.pool.close()

    @asynccontextmanager
    async def purge_worker(app: Litestar) -> AsyncIterator[None]:
        # After the pool (lifespans end in reverse): the worker stops before the pool closes,
        # finishing the batch it runs, if any (a batch is one short transaction).
        purger = Purger(app.state.pool, settings)
        app.state.purger = purger
        task = asyncio.create_task(purger.run(), name="purger")
        try:
            yield
        finally:
            purger.stop()
            await task

    @asynccontextmanager
    async def replica_pools(app: Litestar) -> AsyncIterator[None]:
        app.state.replicas = await open_replicas(settings)
        try:
            yield
        finally:
            await app.state.replicas.close()

    docs = "/static/swagger"
    redoc_files = "/static/redoc"
    favicon = f"<link rel='icon' type='image/png' href='{docs}/favicon-32x32.png'>"
    app = App(
        route_handlers=[
            health,
            ListController,
            VideoController,
            VideoSearchController,
            VideoFacetsController,
            VideoTagController,
            VideoFieldController,
            CustomFieldController,
            FieldSchemaController,
            TagController,
            BulkValueController,
            create_static_files_router(
                path=docs, directories=[swagger_ui.static_path], include_in_schema=False, opt=PUBLIC
            ),
            create_static_files_router(
                path=redoc_files,
                directories=[redoc.static_path],
                include_in_schema=False,
                opt=PUBLIC,
            ),
        ],
        state=State({"settings": settings}),
        lifespan=[db_pool, replica_pools, *([purge_worker] if settings.purge_worker else [])],
        middleware=[authentication],
        dependencies={
            "conn": Provide(provide_connection),
            "read": Provide(provide_read, sync_to_thread=False),
            "owner": Provide(provide_owner, sync_to_thread=False),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=MAX_BODY_BYTES,
        request_class=JsonBodyRequest,
        plugins=[DecimalsAsNumbers(), RootModelsAsTheirRoot(), BodiesAsValidated()],
        before_send=[send_read_after, send_allow],
        openapi_config=OpenAPIConfig(
            title="custom-fields-sql",
            version="0.1.0",
            description="Custom fields for video bookmark lists.",
            # The docs are public (opt=PUBLIC); the schema's own router is made here to say so.
            openapi_router=Router(
                "/schema", route_handlers=[], include_in_schema=False, opt=PUBLIC
            ),
            components=Components(security_schemes=SECURITY_SCHEMES),
            # Served by the app itself: the docs page works without internet access.
            render_plugins=[
                SwaggerRenderPlugin(
                    path="/swagger",
                    js_url=f"{docs}/swagger-ui-bundle.js",
                    css_url=f"{docs}/swagger-ui.css",
                    standalone_preset_js_url=f"{docs}/swagger-ui-standalone-preset.js",
                    favicon=favicon,
                ),
                RedocRenderPlugin(
                    path="/redoc",
                    js_url=f"{redoc_files}/redoc.standalone.js",
                    google_fonts=False,
                    favicon=favicon,
                ),
                JsonRenderPlugin(),
                YamlRenderPlugin(),
            ],
        ),
        logging_config=None,
        debug=False,
    )
    document_errors(app)
    document_bearer(app)
    document_read_after(app)
    return app
