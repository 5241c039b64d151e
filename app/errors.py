"""Domain errors: what went wrong, in the product's words. The data layer raises them
(app/db/errors.py translates database errors) and the API maps them to HTTP once."""

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID


class DomainError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """A resource does not exist (or not in the list it was looked up in)."""

    def __init__(self, resource: str, resource_id: UUID | str | None = None) -> None:
        what = f"{resource} {resource_id}" if resource_id is not None else resource
        super().__init__(f"{what} not found")
        self.resource = resource
        self.resource_id = resource_id


class Conflict(DomainError):
    """The request collides with stored data: a duplicate name or youtube_id, a type change
    of a field that has values."""

    def __init__(self, message: str, *, rule: str) -> None:
        super().__init__(message)
        self.rule = rule


@dataclass(frozen=True, slots=True)
class Problem:
    """One broken rule, for one item of the input."""

    rule: str
    message: str
    field_id: UUID | None = None
    video_id: UUID | None = None
    index: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class InvalidValue(DomainError):
    """Input is well-formed but breaks a rule: a value that does not fit its field, a search
    condition whose operator does not fit the field's type, a config of the wrong shape."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems

    @classmethod
    def one(cls, rule: str, message: str, **where: Any) -> "InvalidValue":
        return cls([Problem(rule=rule, message=message, **where)])


class InvalidInput(DomainError):
    """Input the data layer cannot act on at all, such as a malformed cursor. `field`: the
    body's property it is about, which the 400 names as a body's validation error does."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Unauthenticated(DomainError):
    """The request does not show who is asking: no bearer token, or one that cannot be trusted.
    `token_sent` tells the two apart, as RFC 6750 answers them differently."""

    def __init__(self, message: str, *, token_sent: bool) -> None:
        super().__init__(message)
        self.token_sent = token_sent


class Unavailable(DomainError):
    """The database cannot be reached or is shutting down. `report`: more members of the 503
    problem (/health's replicas)."""

    def __init__(self, message: str, **report: Any) -> None:
        super().__init__(message)
        self.report = report

    @property
    def cause(self) -> str:
        """What the driver said (the exception this was translated from), for the logs: the
        answer says only "not available", an operator needs to know whether it was a refused
        connection, a pool wait past its timeout or a killed backend."""
        cause = self.__cause__
        if cause is None:
            return "no cause recorded"
        return f"{type(cause).__name__}: {cause}" if str(cause) else type(cause).__name__


class WriteConflict(Unavailable):
    """The database chose this write as the victim of a deadlock or a serialization failure
    with a concurrent one; trying it again is safe (see app.db.execute.retried)."""
