"""`make run` checks the configuration before it starts uvicorn: a mistake is one line naming
the variable and exit 2, not a traceback from each worker's start."""

import os
import sys

from app.api.auth import bearer_authentication
from app.config import Settings


def problems() -> str | None:
    """What is wrong with the environment's settings, PORT and WORKERS; None when nothing."""
    for name, top in (("PORT", 65535), ("WORKERS", 64)):
        value = os.environ.get(name, "1")
        if not value.isdigit() or not 1 <= int(value) <= top:
            return f"{name} must be an integer from 1 to {top}"
    try:
        bearer_authentication(Settings.from_env())
    except RuntimeError as exc:
        return str(exc)
    return None


def main() -> int:
    if (problem := problems()) is not None:
        print(f"run: {problem}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
