"""Opaque keyset cursors: base64url JSON of the sort and the list they belong to and the last
row's key."""

import base64
import binascii
import json
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from app.errors import InvalidInput
from app.models.base import bindable

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50


def _plain(value: Any) -> Any:
    if isinstance(value, list):  # a sort by a field: [value, the video's created_at]
        return [_plain(item) for item in value]
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):  # after datetime, which is a date too
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"n": str(value)}
    return value  # str, bool or None


def _typed(value: Any, nested: bool = False) -> Any:
    if isinstance(value, list) and not nested:
        return [_typed(item, nested=True) for item in value]
    if isinstance(value, dict) and set(value) == {"t"}:
        moment = datetime.fromisoformat(value["t"])
        if moment.tzinfo is None:
            raise ValueError("a cursor's time carries its offset")
        # In UTC, as the database reads it: year 1 at +14:00 is year 0 there (OverflowError;
        # sent as it was, the driver's refusal was a 422 "invalid value").
        return moment.astimezone(UTC)
    if isinstance(value, dict) and set(value) == {"d"}:
        return date.fromisoformat(value["d"])
    if isinstance(value, dict) and set(value) == {"n"}:
        if not isinstance(value["n"], str):  # Decimal(True) is 1, Decimal(4) is 4
            raise ValueError("a cursor's number is written as text")
        number = Decimal(value["n"])
        if not bindable(number):  # finite, and one asyncpg sends as it is
            raise ValueError("a cursor's number is a number the app writes")
        return number
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return _text(value)
    if nested and isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [_text(item) for item in value]  # a multi_select's options
    raise ValueError("unexpected cursor value")


def _text(value: str) -> str:
    # What PostgreSQL text can hold: no NUL, no lone surrogate (encode raises ValueError).
    if "\x00" in value:
        raise ValueError("a cursor's text holds no NUL")
    value.encode()
    return value


def encode(sort: str, value: Any, row_id: UUID, list_id: UUID) -> str:
    # UTF-8 rather than \uXXXX escapes: a sort value of CJK text makes half the cursor.
    payload = json.dumps(
        [sort, _plain(value), str(row_id), str(list_id)], separators=(",", ":"), ensure_ascii=False
    )
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode(
    cursor: str,
    sort: str,
    value_type: type | tuple[type, ...],
    list_id: UUID,
    *,
    nullable: bool = False,
) -> tuple[Any, UUID]:
    """The (sort value, id) a cursor stands for; refuses a cursor made for another sort or
    list, or whose value is not of value_type (None only where `nullable`: a sort by a field,
    whose rows without a value come last)."""
    try:
        # Strictly: a character outside the alphabet is not skipped (a cursor with "!!" after
        # it is not the same cursor).
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True)
        cursor_sort, value, row_id, cursor_list = json.loads(raw)
        typed, parsed_id, parsed_list = _typed(value), UUID(row_id), UUID(cursor_list)
    # A hand-made cursor can fail anywhere: Decimal("x") raises InvalidOperation, UUID(1)
    # AttributeError.
    except (
        ValueError,
        TypeError,
        AttributeError,
        InvalidOperation,
        OverflowError,
        binascii.Error,
        UnicodeDecodeError,
    ):
        raise InvalidInput("cursor is not valid: pass next_cursor from a previous page") from None
    # The sort first: a cursor of another sort holds another type of value too.
    if cursor_sort != sort:
        raise InvalidInput("cursor belongs to another sort order: start again without a cursor")
    if parsed_list != list_id:
        raise InvalidInput("cursor belongs to another list: start again without a cursor")
    if (typed is None and not nullable) or (
        typed is not None and not isinstance(typed, value_type)
    ):
        raise InvalidInput("cursor is not valid: pass next_cursor from a previous page")
    return typed, parsed_id
