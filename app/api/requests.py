"""The app's request: a JSON body's numbers are read exactly, and a NUL character in it is a
400; the OpenAPI schema says those numbers are numbers."""

import json
import re
from decimal import Decimal
from typing import Annotated, Any

import msgspec
from litestar import Request
from litestar._openapi.schema_generation import SchemaCreator
from litestar.exceptions import SerializationException
from litestar.openapi.spec import OpenAPIType, Schema
from litestar.plugins import OpenAPISchemaPlugin
from litestar.plugins.pydantic import PydanticSchemaPlugin
from litestar.types import Empty
from litestar.typing import FieldDefinition
from pydantic import BaseModel, RootModel
from pydantic.errors import PydanticInvalidForJsonSchema

from app.models.base import Input, Patch

# A number with a fraction or an exponent becomes a Decimal, not a double: 0.1 stays 0.1 and
# 123456789012345678.123456 reaches the database as sent, which then refuses what a double
# cannot hold (video_field_values_numeric_precision, migrations/0037) instead of the app storing
# 123456789012345680 unasked. Integers are already exact (Python ints).
_EXACT_JSON = msgspec.json.Decoder(float_hook=Decimal)


# The only way JSON text writes U+0000 (a raw NUL byte is not valid JSON).
_ESCAPED_NUL = b"\\u0000"


def _has_nul(body: Any) -> bool:
    # Without recursion: a body may nest as deep as the decoder allows.
    pending = [body]
    while pending:
        value = pending.pop()
        if isinstance(value, str) and "\x00" in value:
            return True
        if isinstance(value, dict):
            pending += [*value.keys(), *value.values()]
        elif isinstance(value, list):
            pending += value
    return False


# A UTF-16 surrogate written as an escape: valid JSON text only as a high-low pair.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _why_not_json(body: bytes, refused: msgspec.DecodeError) -> str:
    # msgspec says "Input data was truncated" of a lone surrogate (`"\ud800"`), which PostgreSQL
    # text could not hold either; Python's json reads one, so it tells the two apart.
    if _SURROGATE_ESCAPE.search(body):
        try:
            json.loads(body)
        except ValueError:
            return str(refused)
        return "text must be valid Unicode: a \\uD800-\\uDFFF escape only as a surrogate pair"
    return str(refused)


class JsonBodyRequest(Request[Any, Any, Any]):
    async def json(self) -> Any:
        # Not Litestar's per-scope cache: a Request of another class may have filled it with
        # doubles.
        if self._json is Empty:
            body = await self.body()
            try:
                decoded = _EXACT_JSON.decode(body or b"null")
            except msgspec.DecodeError as refused:
                # Litestar answers it 400, as for its own decoder.
                raise SerializationException(_why_not_json(body, refused)) from refused
            except RecursionError as refused:
                raise SerializationException("the JSON body nests too deeply") from refused
            # PostgreSQL text cannot hold U+0000: a clear 400 here, not an encoding error from
            # the database. Searched in the decoded body only when its text has the escape
            # (checking every model of a 1,000-value batch took ~5 ms).
            if _ESCAPED_NUL in body and _has_nul(decoded):
                raise SerializationException("text must not contain NUL characters (\\u0000)")
            self._json = decoded
        return self._json


class DecimalsAsNumbers(OpenAPISchemaPlugin):
    """In the OpenAPI schema, a Decimal is a JSON number, as the API reads and writes it
    (Litestar's own map says string: a client generated from the schema would parse 4.5 as
    text)."""

    @staticmethod
    def is_plugin_supported_type(value: Any) -> bool:
        return value is Decimal

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        return Schema(type=OpenAPIType.NUMBER)


class RootModelsAsTheirRoot(OpenAPISchemaPlugin):
    """In the OpenAPI schema, a pydantic RootModel is what it validates, its root's type
    (Litestar's own describes an object with a required "root" property, which the API
    refuses)."""

    @staticmethod
    def is_plugin_supported_type(value: Any) -> bool:
        return isinstance(value, type) and issubclass(value, RootModel)

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        root = field_definition.annotation.model_fields["root"]
        # Its bounds too (maxItems of a batch): pydantic keeps them apart from the annotation.
        annotation = root.annotation
        if root.metadata:
            annotation = Annotated[annotation, *root.metadata]
        schema = schema_creator.for_field_definition(FieldDefinition.from_annotation(annotation))
        return schema if isinstance(schema, Schema) else Schema(all_of=[schema])


NULL = OpenAPIType.NULL
NUMBER = Schema(type=OpenAPIType.NUMBER)
_NUMBER_AS_TEXT = 'a number as JSON writes it, read exactly ("4.50"; not "1_000" or " 4 ")'


class BodiesAsValidated(OpenAPISchemaPlugin):
    """In the OpenAPI schema, a request body is what the API takes: no property but its
    model's (Input refuses the others), and in a partial update null only where it clears a
    value (Patch.NULLABLE; Litestar's own schema allowed null for every optional property)."""

    @staticmethod
    def is_plugin_supported_type(value: Any) -> bool:
        return isinstance(value, type) and issubclass(value, Input)

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        schema = PydanticSchemaPlugin.for_pydantic_model(field_definition, schema_creator)
        schema.additional_properties = False
        model = field_definition.annotation
        validated = _validated_properties(model)
        clearable = model.NULLABLE if issubclass(model, Patch) else None
        properties = schema.properties or {}
        for name, prop in list(properties.items()):
            if not isinstance(prop, Schema):
                continue
            values = [
                s for s in prop.one_of or [prop] if not (isinstance(s, Schema) and s.type == NULL)
            ]
            if clearable is not None and name not in clearable and prop.one_of:
                properties[name] = prop = values[0] if len(values) == 1 else Schema(one_of=values)
            # A number the API also takes as a string holding one ("4.50", read exactly:
            # NumberIn), which Litestar documents as a number only.
            number_or_text = validated.get(name, {}).get("number_or_text")
            if number_or_text and values == [NUMBER] and isinstance(prop, Schema):
                text = Schema(type=OpenAPIType.STRING, description=_NUMBER_AS_TEXT)
                prop.one_of = [NUMBER, text, *([Schema(type=NULL)] if prop.one_of else [])]
                prop.type = None
            # Litestar drops a string's or list's bounds under "| None": pydantic's own schema
            # of the property still has them.
            if len(values) == 1 and isinstance(values[0], Schema):
                for key, attribute in _BOUNDS.items():
                    if key in validated.get(name, {}) and getattr(values[0], attribute) is None:
                        setattr(values[0], attribute, validated[name][key])
        return schema


# JSON Schema's names of a value's bounds, and Litestar's Schema attributes for them.
_BOUNDS = {
    "maxLength": "max_length",
    "minLength": "min_length",
    "pattern": "pattern",
    "maxItems": "max_items",
    "minItems": "min_items",
}


def _validated_properties(model: type[BaseModel]) -> dict[str, dict[str, Any]]:
    """Each property's bounds in pydantic's schema of the model (of the value, not null)."""
    try:
        properties = model.model_json_schema(mode="validation").get("properties", {})
    except PydanticInvalidForJsonSchema:
        return {}
    bounds: dict[str, dict[str, Any]] = {}
    for name, prop in properties.items():
        values = [b for b in prop.get("anyOf", [prop]) if b.get("type") != "null"]
        if len(values) == 1:
            bounds[name] = {key: values[0][key] for key in _BOUNDS if key in values[0]}
        elif values == [{"type": "number"}, {"type": "string"}]:
            bounds[name] = {"number_or_text": True}
    return bounds
