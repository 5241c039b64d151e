from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field

from app.models.base import Input, WholeNumber
from app.models.videos import IncludedFields

Op = Literal[
    "eq",
    "ne",
    "gt",
    "gte",
    "lt",
    "lte",
    "between",
    "before",
    "after",
    "on_or_before",
    "on_or_after",
    "contains",
    "starts_with",
    "in",
    "not_in",
    "has_any",
    "has_all",
    "has_none",
    "is_empty",
    "is_not_empty",
]


class Condition(Input):
    field_id: UUID
    op: Op
    # Its type depends on the field and the operator; app/repositories/video_search.py checks it.
    value: Any = None


# The sorts by a video's own column; any other `by` names a custom field.
COLUMN_SORTS = ("created_at", "title")

# A cursor carries the last row's sort value, at longest a multi_select's 200 options of 200
# characters (custom_fields_multi_select_config: more than any text, url or title holds), each
# character at most 6 bytes of JSON (a control character's \uXXXX), and its sort, creation
# time and ids, in base64 (4 characters for 3 bytes).
MAX_CURSOR_LENGTH = 4 * (200 * (200 * 6 + len('"",')) + 1000) // 3


class Sort(Input):
    by: str = Field(default="created_at", description='"created_at", "title" or a field id')
    direction: Literal["asc", "desc"] | None = Field(
        default=None, description="default: desc for created_at, asc otherwise"
    )

    @property
    def by_column(self) -> bool:
        return self.by in COLUMN_SORTS


class VideoSearch(Input):
    filters: Annotated[list[Condition], Field(max_length=20)] = Field(default_factory=list)
    sort: Sort = Field(default_factory=Sort)
    limit: Annotated[WholeNumber, Field(ge=1, le=200)] = 50
    cursor: Annotated[str, Field(max_length=MAX_CURSOR_LENGTH)] | None = None
    include_fields: IncludedFields | None = Field(
        default=None,
        description="field ids whose values each item carries (<= 20; [] gives each item "
        "an empty fields object)",
    )

    @property
    def names_a_field(self) -> bool:
        """Whether a filter or the sort names a custom field (which the search looks up)."""
        return bool(self.filters) or not self.sort.by_column
