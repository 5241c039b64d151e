"""The one place where database errors become domain errors, keyed by SQLSTATE class and the
name of the constraint (or trigger-raised rule) that refused the write."""

import re
from uuid import UUID

import asyncpg

from app import field_types
from app.errors import Conflict, DomainError, InvalidValue, NotFound, Unavailable, WriteConflict

# Foreign keys: the referenced thing is missing, or lives in another list.
_MISSING = {
    "videos_list_id_fkey": ("list", "list_id"),
    "custom_fields_list_id_fkey": ("list", "list_id"),
    "field_schemas_list_id_fkey": ("list", "list_id"),
    "tags_list_id_fkey": ("list", "list_id"),
    "video_field_values_video_fkey": ("video", "video_id"),
    "video_field_values_field_fkey": ("custom field", "field_id"),
    "schema_fields_schema_fkey": ("field schema", "schema_id"),
    "schema_fields_field_fkey": ("custom field", "field_id"),
    "tags_schema_fkey": ("field schema", "schema_id"),
    "video_tags_video_fkey": ("video", "video_id"),
    "video_tags_tag_fkey": ("tag", "tag_id"),
    # Raised by the triggers that refuse rows attaching to a deleted list or field.
    "bookmark_lists_deleted": ("list", "list_id"),
    "custom_fields_deleted": ("custom field", "field_id"),
}

_DUPLICATES = {
    "videos_youtube_id_unique": "a video with this youtube_id is already in the list",
    "custom_fields_name_unique": "a custom field with this name already exists in the list",
    "field_schemas_name_unique": "a field schema with this name already exists in the list",
    "tags_name_unique": "a tag with this name already exists in the list",
}

# Rules whose breaking is a conflict with stored data rather than bad input.
_CONFLICT_RULES = {"custom_fields_type_change_with_values", "custom_fields_config_breaks_values"}

# Plain CHECK constraints say only their name; these sentences say what they mean.
_CHECK_MESSAGES = {
    "bookmark_lists_name": "name must be 1..200 characters and not blank",
    "bookmark_lists_description_length": "description must be at most 2000 characters",
    "videos_youtube_id_format": "youtube_id must be 1..64 letters, digits, '-' or '_'",
    "videos_title": "title must be 1..500 characters and not blank",
    "custom_fields_name": "name must be 1..100 characters and not blank",
    "custom_fields_config_is_object": "config must be a JSON object",
    "field_schemas_name": "name must be 1..100 characters and not blank",
    "field_schemas_description_length": "description must be at most 2000 characters",
    "schema_fields_display_order": "display_order must be 0 or more",
    "tags_name": "name must be 1..100 characters and not blank",
    "video_field_values_exactly_one_value": (
        f"exactly one of {', '.join(field_types.VALUE_COLUMNS)} must be set"
    ),
    "video_field_values_value_matches_type": (
        f"the value must be in the column of the field's type: {field_types.columns_of_types()}"
    ),
    "video_field_values_text_not_empty": "a text value must not be empty",
    "video_field_values_text_size": (
        f"a text value must be at most {field_types.MAX_TEXT_BYTES} bytes, a url at most "
        f"{field_types.MAX_URL_LENGTH} characters"
    ),
    "video_field_values_options_shape": (
        "a multi_select value is 1..200 distinct, non-blank options"
    ),
    "video_field_values_url_format": (
        "a url must be an absolute http or https URL with a host, in printable ASCII without "
        "spaces (percent-encode other characters)"
    ),
    "video_field_values_rating_in_range": "a rating must not be negative",
    "video_field_values_date_range": "a date must be within 0001-01-01..9999-12-31",
    "video_field_values_numeric_precision": field_types.NUMERIC_PRECISION,
} | {f"custom_fields_{name}_config": spec.config_help for name, spec in field_types.TYPES.items()}

_KEY_DETAIL = re.compile(r"Key \((?P<columns>[^)]*)\)=\((?P<values>.*)\)")
_RULE_DETAIL = re.compile(r"(field_id|video_id)=([0-9a-f-]{36})")


def _key_values(detail: str | None) -> dict[str, str]:
    match = _KEY_DETAIL.search(detail or "")
    if not match:
        return {}
    columns = [c.strip() for c in match["columns"].split(",")]
    values = [v.strip() for v in match["values"].split(",")]
    return dict(zip(columns, values, strict=False))


def _uuid(text: str | None) -> UUID | None:
    try:
        return UUID(text) if text else None
    except ValueError:
        return None


def _rule_message(exc: asyncpg.PostgresError) -> str:
    # Trigger-raised errors read "rule <name>: <sentence>"; keep the sentence.
    return re.sub(r"^rule [a-z_]+: ", "", exc.message or "")


def translate(exc: BaseException) -> DomainError | None:
    """The domain error for a database error, or None when it is not one we expect (a bug)."""
    if isinstance(exc, asyncpg.PostgresError):
        constraint = getattr(exc, "constraint_name", None) or ""
        detail = getattr(exc, "detail", None)
        if isinstance(exc, asyncpg.UniqueViolationError) and constraint in _DUPLICATES:
            return Conflict(_DUPLICATES[constraint], rule=constraint)
        if isinstance(exc, asyncpg.UniqueViolationError) and constraint == "schema_fields_pkey":
            return InvalidValue.one(constraint, "a field can appear only once in a schema")
        if isinstance(exc, asyncpg.ForeignKeyViolationError) and constraint in _MISSING:
            resource, column = _MISSING[constraint]
            key = _key_values(detail)
            return NotFound(resource, _uuid(key.get(column)) or key.get(column))
        if isinstance(exc, asyncpg.CheckViolationError):
            # A rules-trigger DETAIL has a line per broken row: the message names the first.
            ids = dict(_RULE_DETAIL.findall((detail or "").partition("\n")[0]))
            if constraint in _CONFLICT_RULES:
                return Conflict(_rule_message(exc), rule=constraint)
            # A rule raised by a trigger carries its own sentence; a plain CHECK only its name.
            # video_field_values_rating_in_range is both: a CHECK for a negative rating, the
            # rules trigger for one above max_rating.
            if (exc.message or "").startswith("rule "):
                message = _rule_message(exc)
            else:
                message = _CHECK_MESSAGES.get(constraint) or _rule_message(exc)
            return InvalidValue.one(
                constraint,
                message,
                field_id=_uuid(ids.get("field_id")),
                video_id=_uuid(ids.get("video_id")),
            )
        if isinstance(exc, asyncpg.NotNullViolationError):
            return InvalidValue.one(f"{exc.column_name}_required", f"{exc.column_name} is required")
        if isinstance(exc, asyncpg.CardinalityViolationError):
            return InvalidValue.one(
                "batch_duplicate_key", "the same (video, field) appears more than once in the batch"
            )
        if isinstance(exc, asyncpg.DataError):
            return InvalidValue.one("invalid_value", exc.message or "invalid value")
        if isinstance(exc, asyncpg.InsufficientPrivilegeError) and "row-level security" in (
            exc.message or ""
        ):
            # The row names a list that is not the caller's: for them it does not exist (a 403
            # would tell that it does).
            return NotFound("list")
        if isinstance(exc, asyncpg.QueryCanceledError):
            return Unavailable("the database took too long to answer (statement timeout)")
        if isinstance(
            exc,
            # Class 08 includes ConnectionDoesNotExistError: the server went away mid-statement
            # (or mid-COMMIT), which is an outage, not a bug.
            asyncpg.PostgresConnectionError
            | asyncpg.CannotConnectNowError
            | asyncpg.AdminShutdownError
            | asyncpg.CrashShutdownError
            | asyncpg.TooManyConnectionsError,
        ):
            return Unavailable("the database is not available")
        if isinstance(exc, asyncpg.InvalidCatalogNameError):
            # 3D000: the URL names a database that does not exist (yet): an operator's fix.
            return Unavailable("the database named by the app's URL does not exist")
        if isinstance(exc, asyncpg.InvalidAuthorizationSpecificationError):
            # Class 28 (no such role, wrong password): the app's role is missing or its
            # password differs. An operator's fix (`make migrate` creates the role), not a bug.
            return Unavailable(
                "the database refused the app's login; `make migrate` creates the app's role"
            )
        if isinstance(exc, asyncpg.DeadlockDetectedError | asyncpg.SerializationError):
            return WriteConflict("the database could not order concurrent writes; try again")
        return None
    if isinstance(
        exc,
        asyncpg.InterfaceError
        | asyncpg.exceptions.ConnectionDoesNotExistError
        # The client's protocol refuses a new operation on a connection whose last one was
        # cut off ("another operation is in progress"): the connection broke mid-operation.
        | asyncpg.InternalClientError
        | OSError
        | TimeoutError,
    ):
        return Unavailable("the database is not available")
    return None
