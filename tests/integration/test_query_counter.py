from tests.fixtures.builders import make_user, standard_tree


async def test_count_queries_sees_app_queries(client, count_queries):
    await standard_tree()
    await make_user("a")
    with count_queries() as q:
        r = await client.get("/")
    assert r.status_code == 200
    assert len(q) >= 0  # the home page may need no query at all; the counter must not break it
    from core.identity.tables import User

    with count_queries() as q:
        await User.select().where(User.username == "a")
    assert len(q) == 1
