"""Field types, each declared once: its value column, Python value type, config sentence,
search operators (and the SQL fragment each one uses) and how it sorts. Models, repositories,
the search, error mapping, the bench and the test factories all read TYPES; a type missing
from it fails at import, and `spec()` refuses a type it does not know.

The rules of values and configs are the database's alone (migrations/: CHECKs, and
field_value_broken_rule() in 0012_value_rules), for every writer; the repository asks the
database why it refused a batch rather than checking values itself."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

MAX_TEXT_BYTES = 2000  # video_field_values_text_size: keeps every value_text indexable
# What a rating or a number must be (video_field_values_numeric_precision, migrations/0037).
NUMERIC_PRECISION = (
    "a number must have at most 15 significant digits and lie within 1e-300..1e300 (or be "
    "0): what a JSON client reads back exactly"
)


class FieldType(StrEnum):
    SELECT = "select"
    RATING = "rating"
    TEXT = "text"
    BOOLEAN = "boolean"
    NUMBER = "number"
    DATE = "date"
    URL = "url"
    MULTI_SELECT = "multi_select"


PRESENCE_OPS = {"is_empty": "is_empty", "is_not_empty": "is_not_empty"}
NUMERIC_OPS = {op: f"numeric_{op}" for op in ("eq", "ne", "gt", "gte", "lt", "lte", "between")}
DATE_OPS = {
    op: f"date_{op}"
    for op in ("eq", "ne", "before", "after", "on_or_before", "on_or_after", "between")
}
MAX_URL_LENGTH = 2048  # video_field_values_text_size for a url


@dataclass(frozen=True, slots=True)
class TypeSpec:
    column: str  # the value column of the type (rule 2 of the schema)
    value_type: type  # a value in Python, and the sort value a cursor carries
    config_help: str  # what a valid config is: the message of custom_fields_<type>_config
    operators: Mapping[str, str]  # search operator -> its fragment in sql/video_search.sql
    # the fragment reading "= value" as one ordered range of the value index (None: no
    # equality drives a page)
    stream: str | None
    sort_head: str  # the fragment reading the values in the order of the value index
    # the shape of its facet (app/repositories/video_facets.py): options, rating, boolean,
    # number, date or presence
    facet: str
    has_options: bool = False  # search values must be among config["options"]
    # how a sort by the field orders and continues its values: order_<sort_keys>_<direction>
    # and after_<sort_keys>_<direction> (sql/video_search.sql)
    sort_keys: str = "field"
    # contains / starts_with can drive a page through the trigram and prefix indexes
    # (migrations 0004 and 0009), which cover text and url fields.
    substring_indexes: bool = False


TYPES: Mapping[FieldType, TypeSpec] = {
    FieldType.RATING: TypeSpec(
        column="value_numeric",
        value_type=Decimal,
        config_help='a rating field\'s config is {"max_rating": <integer 1..10>}',
        operators=NUMERIC_OPS | PRESENCE_OPS,
        stream="stream_numeric_eq",
        sort_head="valued_numeric_field",
        facet="rating",
    ),
    FieldType.NUMBER: TypeSpec(
        column="value_numeric",
        value_type=Decimal,
        config_help=(
            'a number field\'s config is {} or some of {"min": <number>, "max": <number>, '
            '"decimals": <integer 0..6>}, with min <= max, both of at most 15 significant '
            "digits"
        ),
        operators=NUMERIC_OPS | PRESENCE_OPS,
        stream="stream_numeric_eq",
        sort_head="valued_numeric_field",
        facet="number",
    ),
    FieldType.SELECT: TypeSpec(
        column="value_text",
        value_type=str,
        config_help=(
            'a select field\'s config is {"options": [...]}: 1..200 distinct, non-blank '
            "strings of at most 200 characters"
        ),
        operators={"eq": "text_eq", "ne": "text_ne", "in": "text_in", "not_in": "text_not_in"}
        | PRESENCE_OPS,
        stream="stream_text_eq",
        sort_head="valued_text_field",
        facet="options",
        has_options=True,
    ),
    FieldType.TEXT: TypeSpec(
        column="value_text",
        value_type=str,
        config_help='a text field\'s config is {} or {"max_length": <integer 1..2000>}',
        operators={
            "eq": "text_eq",
            "ne": "text_ne",
            "contains": "text_contains",
            "starts_with": "text_starts_with",
        }
        | PRESENCE_OPS,
        stream="stream_text_eq",
        sort_head="valued_text_field",
        facet="presence",
        substring_indexes=True,
    ),
    FieldType.DATE: TypeSpec(
        column="value_date",
        value_type=date,
        config_help=(
            'a date field\'s config is {} or some of {"min": "YYYY-MM-DD", "max": "YYYY-MM-DD"}'
            ", real calendar dates with min <= max"
        ),
        operators=DATE_OPS | PRESENCE_OPS,
        stream="stream_date_eq",
        sort_head="valued_date_field",
        facet="date",
    ),
    FieldType.URL: TypeSpec(
        column="value_text",
        value_type=str,
        config_help="a url field's config is {}",
        operators={"eq": "text_eq", "contains": "text_contains", "starts_with": "text_starts_with"}
        | PRESENCE_OPS,
        stream="stream_text_eq",
        sort_head="valued_text_field",
        facet="presence",
        substring_indexes=True,
    ),
    FieldType.MULTI_SELECT: TypeSpec(
        column="value_options",
        value_type=list,
        config_help=(
            'a multi_select field\'s config is {"options": [...]} (1..200 distinct, non-blank '
            'strings of at most 200 characters) and optionally "max_selected": <integer 1..200>'
        ),
        operators={
            "has_any": "options_has_any",
            "has_all": "options_has_all",
            "has_none": "options_has_none",
        }
        | PRESENCE_OPS,
        stream=None,
        sort_head="valued_options_field",
        sort_keys="options",
        facet="options",
        has_options=True,
    ),
    FieldType.BOOLEAN: TypeSpec(
        column="value_boolean",
        value_type=bool,
        config_help="a boolean field's config is {}",
        operators={"eq": "boolean_eq"} | PRESENCE_OPS,
        stream="stream_boolean_eq",
        sort_head="valued_boolean_field",
        facet="boolean",
    ),
}
assert set(TYPES) == set(FieldType), "every field type is declared in TYPES"

# The value columns, in the order the API and the tables name them.
VALUE_COLUMNS = ("value_text", "value_numeric", "value_boolean", "value_date", "value_options")
assert {spec.column for spec in TYPES.values()} <= set(VALUE_COLUMNS)


class UnknownFieldType(LookupError):
    """A field type no declaration covers: a bug (or a newer schema), never 'text'."""


# By name: a StrEnum member hashes as its string, so a type read from a row is looked up as it
# comes (a page's values call this per value: FieldType(name) took 0.7 us a call).
_BY_NAME: dict[str, TypeSpec] = {field_type.value: spec for field_type, spec in TYPES.items()}


def spec(field_type: str) -> TypeSpec:
    """The declaration of a field type; raises UnknownFieldType for any other name."""
    try:
        return _BY_NAME[field_type]
    except KeyError:
        raise UnknownFieldType(f"no declaration for field type {field_type!r}") from None


def columns_of_types() -> str:
    """'rating -> value_numeric, select -> value_text, ...': the rule 2 message."""
    return ", ".join(f"{name} -> {s.column}" for name, s in TYPES.items())
