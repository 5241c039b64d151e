"""The app's request: a JSON body's numbers are read exactly."""

from decimal import Decimal
from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import SerializationException
from litestar.types import Empty

# A number with a fraction or an exponent becomes a Decimal, not a double: 0.1 stays 0.1 and
# 123456789012345678.123456 reaches the database as sent, which then refuses what a double
# cannot hold (video_field_values_numeric_precision, migrations/0037) instead of the app storing
# 123456789012345680 unasked. Integers are already exact (Python ints).
_EXACT_JSON = msgspec.json.Decoder(float_hook=Decimal)


class ExactNumbersRequest(Request[Any, Any, Any]):
    async def json(self) -> Any:
        # Not Litestar's per-scope cache: a Request of another class may have filled it with
        # doubles.
        if self._json is Empty:
            body = await self.body()
            try:
                self._json = _EXACT_JSON.decode(body or b"null")
            except msgspec.DecodeError as refused:
                # Litestar answers it 400, as for its own decoder.
                raise SerializationException(str(refused)) from refused
        return self._json
