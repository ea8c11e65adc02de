"""The Label Studio token may be a plain str or a pydantic SecretStr in settings."""

from pydantic import SecretStr

from common.secret_text import reveal


def test_reveal_returns_the_plain_text_of_either_kind():
    assert reveal("abc") == reveal(SecretStr("abc")) == "abc"
    assert reveal(None) is None and reveal("") is None and reveal(SecretStr("")) is None
    assert "abc" not in repr(SecretStr("abc"))  # what logging a SecretStr would show
