"""One APIRouter per concern."""

from typing import Any

from service.schemas import ErrorBody

#: Error responses every /v1 route may give (all with the same body).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": desc}
    for status, desc in {
        400: "Malformed JSON or body not UTF-8",
        401: "Missing or invalid API key",
        413: "Body larger than max_body_bytes / max_batch_body_bytes",
        415: "Body is not application/json",
        422: "Invalid input; `error.field` and `error.limit` say which",
        429: "Rate limited; see Retry-After",
        503: "Model not loaded or failed verification",
    }.items()
}


def json_bytes(data: Any) -> bytes:
    import json

    return json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
