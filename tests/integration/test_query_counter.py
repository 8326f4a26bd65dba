"""The ``count_queries`` fixture itself: it must see every statement the app sends, and only those
sent inside its block (tests/integration/test_query_counts.py relies on it)."""

from core.db.tx import raw, write_tx
from core.identity.tables import User
from tests.fixtures.builders import login_as, make_user, standard_tree


async def test_count_queries_sees_app_queries(client, count_queries):
    await standard_tree()
    user = await make_user("a")
    await login_as(client, user)
    with count_queries() as q:
        r = await client.get("/")
    assert r.status_code == 200
    assert any("motcua_session" in s for s in q.statements), (
        q.statements
    )  # a signed-in request reads its session

    with count_queries() as q:
        await User.select().where(User.username == "a")
    assert len(q) == 1


async def test_count_queries_sees_raw_sql_and_transactions_and_stops_at_the_block(db, count_queries):
    await make_user("b")
    with count_queries() as q:
        assert (await raw("SELECT 1 AS one"))[0]["one"] == 1
        async with write_tx():
            await User.update({User.phone: "0900000000"}).where(User.username == "b")
            await User.select(User.phone).where(User.username == "b")
    seen = len(q)
    assert seen >= 3 and any(s.lstrip().upper().startswith("UPDATE") for s in q.statements)
    await User.select()
    assert len(q) == seen  # nothing counted after the block
