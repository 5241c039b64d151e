from datetime import datetime
from uuid import UUID

from app.models.base import Record


class PurgeBatch(Record):
    """One batch a purge worker ran: which purge, how many rows it removed, and whether the
    purge found nothing left (it is then done and removed from the queue)."""

    purge_id: int
    list_id: UUID
    field_id: UUID | None
    rows_purged: int
    finished: bool


class PurgeBacklog(Record):
    """What remains to purge, over every owner: for /health and the operator."""

    pending: int
    rows_estimated: int
    rows_purged: int
    oldest: datetime | None
