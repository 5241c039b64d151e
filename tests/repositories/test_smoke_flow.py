from decimal import Decimal

from app.models.custom_fields import CustomFieldCreate
from app.models.field_schemas import FieldSchemaCreate, SchemaFieldIn
from app.models.field_values import FieldValueSet
from app.models.lists import ListCreate
from app.models.tags import TagCreate
from app.models.video_search import Condition, Sort, VideoSearch
from app.models.videos import VideoCreate
from app.repositories import custom_fields, field_schemas, field_values, lists, tags, video_search, videos


async def test_end_to_end(pool) -> None:
    async with pool.acquire() as conn:
        bl = await lists.create(conn, data=ListCreate(name="L"))
        rating = await custom_fields.create(conn, list_id=bl.id, data=CustomFieldCreate(name="Rating", field_type="rating", config={"max_rating": 5}))
        quality = await custom_fields.create(conn, list_id=bl.id, data=CustomFieldCreate(name="Quality", field_type="select", config={"options": ["great", "ok"]}))
        schema = await field_schemas.create(conn, list_id=bl.id, data=FieldSchemaCreate(name="S", fields=[SchemaFieldIn(field_id=rating.id, display_order=1), SchemaFieldIn(field_id=quality.id, display_order=0)]))
        assert [f.name for f in schema.fields] == ["Quality", "Rating"]
        tag = await tags.create(conn, list_id=bl.id, data=TagCreate(name="T", schema_id=schema.id))
        vids = [await videos.create(conn, list_id=bl.id, data=VideoCreate(youtube_id=f"vid{i}", title=f"Video {i}")) for i in range(5)]
        await tags.set_video_tags(conn, list_id=bl.id, video_id=vids[0].id, tag_ids=[tag.id])
        for i, v in enumerate(vids):
            await field_values.set_many(conn, list_id=bl.id, video_id=v.id, values=[FieldValueSet(field_id=rating.id, value_numeric=Decimal(i))])
        fs = await field_values.fields_of_video(conn, list_id=bl.id, video_id=vids[0].id)
        assert [(f.name, f.value) for f in fs] == [("Quality", None), ("Rating", Decimal(0))]
        page = await video_search.search(conn, list_id=bl.id, query=VideoSearch(filters=[Condition(field_id=rating.id, op="gte", value=2)], sort=Sort(by=str(rating.id), direction="desc"), limit=2))
        assert [v.title for v in page.items] == ["Video 4", "Video 3"]
        page2 = await video_search.search(conn, list_id=bl.id, query=VideoSearch(filters=[Condition(field_id=rating.id, op="gte", value=2)], sort=Sort(by=str(rating.id), direction="desc"), limit=2, cursor=page.next_cursor))
        assert [v.title for v in page2.items] == ["Video 2"] and page2.next_cursor is None
        newest = await videos.list_newest(conn, list_id=bl.id, limit=3)
        rest = await videos.list_newest(conn, list_id=bl.id, limit=3, cursor=newest.next_cursor)
        assert len(newest.items) + len(rest.items) == 5
