from tests.fixtures.builders import grant, login_as, make_user, standard_tree


async def test_login_as_shows_the_user(client):
    tree = await standard_tree()
    user = await make_user("canbo1", full_name="Nguyễn Thị Hằng")
    await grant(user, tree["ward"], "receiver")
    await login_as(client, user)
    r = await client.get("/")
    assert "Nguyễn Thị Hằng" in r.text
