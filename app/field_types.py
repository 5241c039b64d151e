"""Field types, each declared once: its value column, Python value type, config and value
rules, search operators (and the SQL fragment each one uses) and how it sorts. Models,
repositories, the search, error mapping, the bench and the test factories all read TYPES; a
type missing from it fails at import, and `spec()` refuses a type it does not know.

The database states the same rules again for every writer (migrations/: CHECKs and the rules
trigger); the checks here only name a broken rule before a batch is sent."""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

MAX_TEXT_BYTES = 2000  # video_field_values_text_size: keeps every value_text indexable


class FieldType(StrEnum):
    SELECT = "select"
    RATING = "rating"
    TEXT = "text"
    BOOLEAN = "boolean"
    NUMBER = "number"
    DATE = "date"
    URL = "url"
    MULTI_SELECT = "multi_select"


# What a value check answers when a value breaks a rule: (rule, message).
Broken = tuple[str, str] | None
ValueCheck = Callable[[str, Mapping[str, Any], Any], Broken]

PRESENCE_OPS = {"is_empty": "is_empty", "is_not_empty": "is_not_empty"}
NUMERIC_OPS = {op: f"numeric_{op}" for op in ("eq", "ne", "gt", "gte", "lt", "lte", "between")}
DATE_OPS = {
    op: f"date_{op}"
    for op in ("eq", "ne", "before", "after", "on_or_before", "on_or_after", "between")
}
MAX_URL_LENGTH = 2048
# video_field_values_url_format, the same expressions: printable ASCII, then an absolute
# http(s) URL with a host (a name, or an IPv6 address in brackets).
_URL_CHARACTERS = re.compile(r"[!-~]+")
_URL_SHAPE = re.compile(
    r"https?://([^/?#@]*@)?([^/?#@:\[\]]+|\[[0-9a-f:.]+\])(:[0-9]*)?([/?#]|$)", re.IGNORECASE
)


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
    check: ValueCheck  # (field name, config, value) -> the rule a value breaks, or None
    has_options: bool = False  # search values must be among config["options"]
    # contains / starts_with can drive a page through the trigram and prefix indexes
    # (migrations 0004 and 0009), which cover text and url fields.
    substring_indexes: bool = False


def _rating(name: str, config: Mapping[str, Any], value: Decimal) -> Broken:
    top = config["max_rating"]
    if not 0 <= value <= top:
        return (
            "video_field_values_rating_in_range",
            f'rating {value} for field "{name}" is outside 0..{top}',
        )
    return None


def _decimals(value: Decimal) -> int:
    """Digits after the point, trailing zeros aside (the database's scale(trim_scale(v)))."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _number(name: str, config: Mapping[str, Any], value: Decimal) -> Broken:
    low, high = config.get("min"), config.get("max")
    if (low is not None and value < Decimal(str(low))) or (
        high is not None and value > Decimal(str(high))
    ):
        return (
            "video_field_values_number_in_range",
            f'number {value} for field "{name}" is outside '
            f"{'' if low is None else low}..{'' if high is None else high}",
        )
    if "decimals" in config and _decimals(value) > config["decimals"]:
        return (
            "video_field_values_number_decimals",
            f'number {value} for field "{name}" has more than {config["decimals"]} decimals',
        )
    return None


def _date(name: str, config: Mapping[str, Any], value: date) -> Broken:
    low, high = config.get("min"), config.get("max")
    if (low is not None and value < date.fromisoformat(low)) or (
        high is not None and value > date.fromisoformat(high)
    ):
        return (
            "video_field_values_date_in_range",
            f'date {value.isoformat()} for field "{name}" is outside {low or ""}..{high or ""}',
        )
    return None


def _url(name: str, config: Mapping[str, Any], value: str) -> Broken:
    if len(value) > MAX_URL_LENGTH:
        return (
            "video_field_values_text_size",
            f'url for field "{name}" is longer than {MAX_URL_LENGTH} characters',
        )
    if not _URL_CHARACTERS.fullmatch(value) or not _URL_SHAPE.match(value):
        return (
            "video_field_values_url_format",
            f'{value!r} for field "{name}" is not an absolute http or https URL with a host, '
            "in printable ASCII without spaces",
        )
    return None


def _multi_select(name: str, config: Mapping[str, Any], value: list[str]) -> Broken:
    unknown = [option for option in value if option not in config["options"]]
    if unknown:
        return (
            "video_field_values_multi_select_option",
            f'value {value} for field "{name}" holds options it does not have: {unknown}',
        )
    if "max_selected" in config and len(value) > config["max_selected"]:
        return (
            "video_field_values_multi_select_max",
            f'value {value} for field "{name}" has {len(value)} options, more than its '
            f"max_selected {config['max_selected']}",
        )
    return None


def _select(name: str, config: Mapping[str, Any], value: str) -> Broken:
    if value not in config["options"]:
        return (
            "video_field_values_select_option",
            f'value {value!r} for field "{name}" is not one of its options {config["options"]}',
        )
    return None


def _text(name: str, config: Mapping[str, Any], value: str) -> Broken:
    if not value.strip():
        return "video_field_values_text_not_empty", f'text for field "{name}" is empty'
    if "max_length" in config and len(value) > config["max_length"]:
        return (
            "video_field_values_text_length",
            f'text for field "{name}" is {len(value)} characters long, more than its '
            f"max_length {config['max_length']}",
        )
    if len(value.encode()) > MAX_TEXT_BYTES:
        return (
            "video_field_values_text_size",
            f'text for field "{name}" is longer than {MAX_TEXT_BYTES} bytes',
        )
    return None


def _boolean(name: str, config: Mapping[str, Any], value: bool) -> Broken:
    return None


TYPES: Mapping[FieldType, TypeSpec] = {
    FieldType.RATING: TypeSpec(
        column="value_numeric",
        value_type=Decimal,
        config_help='a rating field\'s config is {"max_rating": <integer 1..10>}',
        operators=NUMERIC_OPS | PRESENCE_OPS,
        stream="stream_numeric_eq",
        sort_head="valued_numeric_field",
        check=_rating,
    ),
    FieldType.NUMBER: TypeSpec(
        column="value_numeric",
        value_type=Decimal,
        config_help=(
            'a number field\'s config is {} or some of {"min": <number>, "max": <number>, '
            '"decimals": <integer 0..6>}, with min <= max'
        ),
        operators=NUMERIC_OPS | PRESENCE_OPS,
        stream="stream_numeric_eq",
        sort_head="valued_numeric_field",
        check=_number,
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
        check=_select,
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
        check=_text,
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
        check=_date,
    ),
    FieldType.URL: TypeSpec(
        column="value_text",
        value_type=str,
        config_help="a url field's config is {}",
        operators={"eq": "text_eq", "contains": "text_contains", "starts_with": "text_starts_with"}
        | PRESENCE_OPS,
        stream="stream_text_eq",
        sort_head="valued_text_field",
        check=_url,
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
        check=_multi_select,
        has_options=True,
    ),
    FieldType.BOOLEAN: TypeSpec(
        column="value_boolean",
        value_type=bool,
        config_help="a boolean field's config is {}",
        operators={"eq": "boolean_eq"} | PRESENCE_OPS,
        stream="stream_boolean_eq",
        sort_head="valued_boolean_field",
        check=_boolean,
    ),
}
assert set(TYPES) == set(FieldType), "every field type is declared in TYPES"

# The value columns, in the order the API and the tables name them.
VALUE_COLUMNS = ("value_text", "value_numeric", "value_boolean", "value_date", "value_options")
assert {spec.column for spec in TYPES.values()} <= set(VALUE_COLUMNS)


class UnknownFieldType(LookupError):
    """A field type no declaration covers: a bug (or a newer schema), never 'text'."""


def spec(field_type: str) -> TypeSpec:
    """The declaration of a field type; raises UnknownFieldType for any other name."""
    try:
        return TYPES[FieldType(field_type)]
    except ValueError:
        raise UnknownFieldType(f"no declaration for field type {field_type!r}") from None


def columns_of_types() -> str:
    """'rating -> value_numeric, select -> value_text, ...': the rule 2 message."""
    return ", ".join(f"{name} -> {s.column}" for name, s in TYPES.items())
