"""Reply shapes for ``Client.reply()``: Python values that say which RESP
type to write where the plain type is ambiguous (see fastkv/meta for the
whole mapping).  Pure Python, so that code above the core can build replies
without importing the extension."""


class RStatus(str):
    """A RESP simple string (``+OK``) rather than a bulk string."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"RStatus({str.__repr__(self)})"


class RSet(list):
    """A RESP3 set (``~N``); encoded as a plain array in RESP2."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"RSet({list.__repr__(self)})"
