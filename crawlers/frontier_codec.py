"""JSON for what crawl processes share through Redis: scheduled requests and scraped items.

scrapy-redis pickles requests by default; anything that can write to the Redis server could then
run code in every crawler. This codec is its `SCHEDULER_SERIALIZER` instead (a module with
`dumps`/`loads`): plain JSON, with bytes, non-string dict keys and the spider's `Source` tagged,
and nothing else accepted. Items travel the same way from crawlers to the one store writer.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, fields
from typing import Any

from crawlers.sources import Source

_SOURCE_FIELDS = {f.name for f in fields(Source)}


def _tag(value: Any) -> Any:
    """A JSON-able copy of `value`; raises TypeError for anything the crawl should not share."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, bytes):
        return {"__bytes__": base64.b64encode(value).decode("ascii")}
    if isinstance(value, Source):
        return {"__source__": asdict(value)}
    if isinstance(value, (list, tuple)):
        return [_tag(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {k: _tag(v) for k, v in value.items()}
        return {"__pairs__": [[_tag(k), _tag(v)] for k, v in value.items()]}
    raise TypeError(f"cannot share a {type(value).__name__} through the crawl frontier")


def _untag(value: Any) -> Any:
    if isinstance(value, list):
        return [_untag(v) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"__bytes__"}:
        return base64.b64decode(value["__bytes__"])
    if set(value) == {"__source__"}:
        data = value["__source__"]
        return Source(**{k: v for k, v in data.items() if k in _SOURCE_FIELDS})
    if set(value) == {"__pairs__"}:
        return {_untag(k): _untag(v) for k, v in value["__pairs__"]}
    return {k: _untag(v) for k, v in value.items()}


def dumps(obj: Any) -> bytes:
    """scrapy-redis serializer: a request's dict (`Request.to_dict`) as JSON bytes."""
    return json.dumps(_tag(obj), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def loads(data: bytes | str) -> Any:
    """scrapy-redis serializer: the dict `dumps` was given."""
    return _untag(json.loads(data))


ITEM_KINDS = ("post", "unchanged", "failure")


def encode_item(kind: str, fields_: dict[str, Any]) -> bytes:
    """One scraped item for the store writer: its kind and its fields (strings or None)."""
    if kind not in ITEM_KINDS:
        raise ValueError(f"unknown item kind {kind!r}")
    return dumps({"kind": kind, "fields": fields_})


def decode_item(data: bytes | str) -> tuple[str, dict[str, Any]]:
    """(kind, fields) of an encoded item; ValueError when it is not one."""
    obj = loads(data)
    if not isinstance(obj, dict) or obj.get("kind") not in ITEM_KINDS \
            or not isinstance(obj.get("fields"), dict):
        raise ValueError(f"not a crawl item: {str(data)[:200]!r}")
    return obj["kind"], obj["fields"]
