"""The sign-in and registration messages go through gettext: Vietnamese by default, English when the
visitor chose English (the words live in the catalogue, not in the code)."""

from __future__ import annotations

from tests.conftest import csrf_from


async def _sign_in(client, lang: str, username: str, password: str):
    client.cookies.set("lang", lang, domain="127.0.0.1")
    await client.get("/dang-nhap")
    data = {"username": username, "password": password, "_csrf_token": csrf_from(client)}
    return await client.post("/dang-nhap", data=data, follow_redirects=False)


async def test_sign_in_errors_in_the_visitors_language(client):
    r = await _sign_in(client, "vi", "", "")
    assert r.status_code == 422
    assert "Vui lòng nhập tên đăng nhập." in r.text and "Vui lòng nhập mật khẩu." in r.text
    r = await _sign_in(client, "en", "", "")
    assert r.status_code == 422
    assert "Please enter your user name." in r.text and "Please enter your password." in r.text
    assert "Vui lòng nhập tên đăng nhập." not in r.text
    r = await _sign_in(client, "en", "khong-co-ai", "x")
    assert r.status_code == 422 and "Wrong user name or password. After 5 wrong attempts in a row" in r.text


async def test_registration_errors_in_english_keep_the_typed_value(client):
    client.cookies.set("lang", "en", domain="127.0.0.1")
    await client.get("/dang-ky")
    data = {
        "full_name": "",
        "birth_date": "31/02/1990",
        "sex": "",
        "cccd": "",
        "phone": "12",
        "email": "x@",
        "username": "A",
        "password": "short",
        "password_confirm": "other",
        "_csrf_token": csrf_from(client),
    }
    r = await client.post("/dang-ky", data=data, follow_redirects=False)
    assert r.status_code == 422
    for text in (
        "Please enter your full name.",
        "The date of birth &#34;31/02/1990&#34; is not a real date",
        "A phone number has 10 digits",
        "The e-mail address is not well formed",
        "A user name has 3–64 characters",
        "The password must have at least 8 characters.",
        "The two passwords do not match.",
    ):
        assert text in r.text, text
