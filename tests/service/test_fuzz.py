"""Property-based fuzzing of the whole API from its own OpenAPI schema (schemathesis): no input may produce
a server error, every response must match the status codes, content types and schemas it documents, and the
schema and the server must agree on what is valid: a request the schema allows is accepted, one it forbids
is refused (positive_data_acceptance, negative_data_rejection). The one exception is a rule no schema can
state, that a given text_sha256 is the hash of the text (``hash_mismatch``), the state behind an export
acknowledgement (no feedback with that id yet), and what an uploaded image holds (its real format, its
pixels, the text on it: :data:`IMAGE_CONTENT_CODES`).

Bounded and deterministic: 25 generated examples per operation (plus schemathesis' examples and coverage
phases, which include negative cases: wrong types, missing fields, bad media types), a fixed seed."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)
from svc_helpers import ADMIN_KEY, CLIENT_KEY, shipped_models

from service.core.config import Settings
from service.main import create_app

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
AGREEMENT = [positive_data_acceptance, negative_data_rejection]
#: POST /v1/score/image errors about the image's content: a schema says "a binary file", not "a PNG with text".
IMAGE_CONTENT_CODES = {"unreadable_image", "unsupported_format", "image_too_large", "no_text_found", "ocr_failed",
                       "invalid_text"}


# Built at import, but nothing runs until the first request (schemathesis then starts the lifespan and
# stops it at the end of the session). Small limits keep each example cheap: a 20,000-character post can
# take 0.5 s to score.
_tmp = Path(tempfile.mkdtemp(prefix="tppo-fuzz-"))
atexit.register(shutil.rmtree, _tmp, ignore_errors=True)
app = create_app(Settings(
    _env_file=None, model_path=str(shipped_models()), feedback_db=str(_tmp / "fuzz.db"), rate_limit_per_minute=0,
    access_log=False, max_text_chars=2000, batch_max_items=8, batch_max_chars=8000,
    api_keys=[CLIENT_KEY], admin_keys=[ADMIN_KEY], allowed_hosts=["testserver"], feedback_per_hour=0,
    score_chars_per_minute=0, auth_failures_per_minute=0,
))
schema = schemathesis.openapi.from_dict(app.openapi())
schema.app = app


@schema.parametrize()
@settings(max_examples=25, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
def test_api_never_fails_and_matches_its_schema(case: Any, models_dir: Path) -> None:
    response = case.call(headers={"X-API-Key": ADMIN_KEY})
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:500])
    case.validate_response(response, checks=CHECKS)
    if not _beyond_the_schema(case, response):
        case.validate_response(response, checks=AGREEMENT)


def _beyond_the_schema(case: Any, response: Any) -> bool:
    """A refusal for a rule no schema can state (see the module docstring)."""
    if response.status_code < 400:
        return False
    err = response.json()["error"]
    if case.path == "/v1/score/image" and err["code"] in IMAGE_CONTENT_CODES:
        return True
    if response.status_code != 422:
        return False
    return err["code"] == "hash_mismatch" or (case.path == "/v1/feedback/export/ack" and err.get("field") == "last_id")
