async def test_flow(client) -> None:
    r = await client.post("/lists", json={"name": "  My list "})
    assert r.status_code == 201, r.text
    lst = r.json()
    assert lst["name"] == "My list"
    lid = lst["id"]
    r = await client.post(f"/lists/{lid}/custom-fields", json={"name": "Rating", "field_type": "rating", "config": {"max_rating": 5}})
    assert r.status_code == 201, r.text
    fid = r.json()["id"]
    r = await client.post(f"/lists/{lid}/videos", json={"youtube_id": "dQw4w9WgXcQ", "title": "x"})
    assert r.status_code == 201, r.text
    vid = r.json()["id"]
    r = await client.post(f"/lists/{lid}/schemas", json={"name": "S", "fields": [{"field_id": fid, "display_order": 0, "show_on_card": True}]})
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    r = await client.post(f"/lists/{lid}/tags", json={"name": "T", "schema_id": sid})
    assert r.status_code == 201, r.text
    tid = r.json()["id"]
    r = await client.put(f"/lists/{lid}/videos/{vid}/tags", json=[tid])
    assert r.status_code == 200, r.text
    r = await client.put(f"/lists/{lid}/videos/{vid}/fields", json=[{"field_id": fid, "value_numeric": 4}])
    assert r.status_code == 200, r.text
    assert r.json()[0]["value"] == 4
    r = await client.put(f"/lists/{lid}/videos/{vid}/fields", json=[{"field_id": fid, "value_numeric": 4, "value_text": "x"}])
    assert r.status_code == 400, r.text
    print(r.text)
    assert r.headers["content-type"].startswith("application/problem+json")
    r = await client.put(f"/lists/{lid}/videos/{vid}/fields", json=[{"field_id": fid, "value_numeric": 9}])
    assert r.status_code == 422, r.text
    print(r.text)
    r = await client.post(f"/lists/{lid}/videos/search", json={"filters": [{"field_id": fid, "op": "gte", "value": 4}]})
    assert r.status_code == 200, r.text
    assert len(r.json()["items"]) == 1
    r = await client.post(f"/lists/{lid}/videos/search", json={"filters": [{"field_id": fid, "op": "contains", "value": "x"}]})
    assert r.status_code == 422, r.text
    print(r.text)
    r = await client.get(f"/lists/{lid}/videos/not-a-uuid")
    print(r.status_code, r.text)
    r = await client.get("/health")
    assert r.status_code == 200
    r = await client.get("/schema/openapi.json")
    assert r.status_code == 200
    r = await client.get("/schema/swagger")
    assert r.status_code == 200 and "cdn" not in r.text, r.text
    r = await client.post(f"/lists/{lid}/videos", json={"youtube_id": "dQw4w9WgXcQ", "title": "x"})
    assert r.status_code == 409, r.text
    print(r.text)
    r = await client.post("/lists", content=b"{bad json")
    print(r.status_code, r.text)
    r = await client.post("/lists", json={"name": "x", "extra": 1})
    print(r.status_code, r.text)
