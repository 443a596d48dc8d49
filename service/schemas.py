"""Request and response models. Requests are strict (no type coercion) and carry ``Field`` limits that
show up in the OpenAPI schema; the settings may lower the text and batch limits at run time."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, JsonValue, model_validator
from pydantic_core import PydanticCustomError

from detector.validation import INVISIBLE_CLASS, MAX_TEXT_CHARS, text_problem
from service.core.config import HARD_MAX_BATCH_ITEMS

Label = Literal["low", "other_scam", "high"]
Level = Literal["rendah", "sedang", "tinggi"]
Kind = Literal["offer", "question", "report", "warning", "other"]
Lang = Literal["id", "en"]
#: Why a moderator says a result was right ("confirmed") or wrong (everything else).
Reason = Literal["confirmed", "missed_flag", "false_flag", "legit_job", "scam_not_trafficking", "trafficking",
                 "not_job_ad", "other"]
MAX_NOTE_CHARS = 1000
MAX_ID_CHARS = 128
#: What the server accepts, stated in the OpenAPI schema so clients and fuzzers agree with it: no NUL, and
#: for a post at least one visible character (text_problem's ``empty_text`` and ``invisible_text``).
NO_NUL_PATTERN = r"^[^\u0000]*$"
POST_TEXT_PATTERN = rf"^[^\u0000]*[^\u0000{INVISIBLE_CLASS}][^\u0000]*$"


def check_unicode(s: str) -> str:
    """No NUL byte and no unpaired surrogate (``"\\ud800"`` in JSON): neither can be stored or re-encoded."""
    if "\x00" in s:
        raise PydanticCustomError("nul_byte", "contains a NUL byte")
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("invalid_unicode", "contains an unpaired UTF-16 surrogate") from None
    return s


def _post_text(s: str) -> str:
    check_unicode(s)
    problem = text_problem(s)  # the one rule set (its length limit is the Field's, checked before)
    if problem is not None:
        raise PydanticCustomError(problem[0], problem[1].removeprefix("text "))
    return s


PostText = Annotated[str, Field(min_length=1, max_length=MAX_TEXT_CHARS,
                                json_schema_extra={"pattern": POST_TEXT_PATTERN}), AfterValidator(_post_text)]
SafeStr = Annotated[str, Field(json_schema_extra={"pattern": NO_NUL_PATTERN}), AfterValidator(check_unicode)]
ClientId = Annotated[str, Field(max_length=MAX_ID_CHARS, json_schema_extra={"pattern": NO_NUL_PATTERN}),
                     AfterValidator(check_unicode)]
Note = Annotated[str, Field(max_length=MAX_NOTE_CHARS, json_schema_extra={"pattern": NO_NUL_PATTERN}),
                 AfterValidator(check_unicode)]

_REQUEST = ConfigDict(strict=True, extra="ignore")
_RESPONSE = ConfigDict(extra="allow")


# -- errors -----------------------------------------------------------------------------------------------

class ErrorDetail(BaseModel):
    code: str = Field(description="Machine-readable, e.g. text_too_long, body_too_large, rate_limited.")
    message: str = Field(description="Human-readable; names the limit or field at fault.")
    field: str | None = Field(None, description="The request field at fault (dotted path), if any.")
    limit: str | None = Field(None, description="The setting behind the limit that was hit, if any.")


class ErrorBody(BaseModel):
    error: ErrorDetail
    request_id: str | None = None


# -- scoring ----------------------------------------------------------------------------------------------

class ScoreRequest(BaseModel):
    model_config = _REQUEST
    text: PostText = Field(description="The advert, as posted. Offsets in the result index this string.")
    explain: bool = Field(True, description="Reasons and a summary (false: evidence is only flag/offsets/text).")
    lang: Lang | None = Field(None, description="Language of reasons; omitted = both reason_id and reason_en.")
    id: ClientId | None = Field(None, description="Echoed back in the result.")


class Evidence(BaseModel):
    model_config = _RESPONSE
    flag: str
    start: int = Field(description="Code-point offset into the submitted text (JS: convert to UTF-16).")
    end: int
    text: str
    score: float | None = None
    weight: float | None = None
    pattern: str | None = None
    reason_id: str | None = None
    reason_en: str | None = None
    reason: str | None = None
    details: dict[str, Any] | None = None


class Money(BaseModel):
    model_config = _RESPONSE
    start: int
    end: int
    text: str
    currency: str | None = None
    amount_min: float | None = None
    amount_max: float | None = None
    period: str | None = None
    idr_per_month_min: float | None = None
    idr_per_month_max: float | None = None


class ScoreResponse(BaseModel):
    """The detection core's record (``ScoreResult.to_dict``); fields may be added, never renamed."""

    model_config = _RESPONSE
    id: str | None = None
    risk_score: float = Field(description="P(high), 0..1.")
    risk_level: Level
    label: Label
    probabilities: dict[str, float]
    flags: list[str]
    evidence: list[Evidence]
    counter_evidence: list[Evidence]
    money: list[Money]
    destinations: list[str] = []
    model_version: str
    truncated: int = Field(0, description="Evidence, counter-evidence and money items left out (at most 5 per flag "
                                          "and 40 per post, and 20 amounts, are listed); the flags are all there.")
    summary: str | None = None
    kind: Kind = Field(description="What the text does with the offer: offer (advert, recruiter's message, forward), "
                                   "question (someone asks about an offer), report (testimony or news of a case), "
                                   "warning (awareness, no particular offer), other (not about a job).")
    needs_action: bool = Field(description="tinggi on an offer or a question: a post to act on. A report or warning "
                                           "is shown with its flags, never as a risky post to act on.")


class BatchItemIn(BaseModel):
    model_config = _REQUEST
    id: ClientId | None = None
    # Deliberately loose: an empty, null, over-long or binary text is an error for that item only.
    text: str | None = None


class BatchRequest(BaseModel):
    model_config = _REQUEST
    items: list[BatchItemIn] = Field(min_length=1, max_length=HARD_MAX_BATCH_ITEMS,
                                     description="At most `batch_max_items` (GET /v1/model `limits`).")
    explain: bool = True
    lang: Lang | None = None


class BatchItem(BaseModel):
    """Exactly one of ``result`` and ``error``."""

    index: int
    id: str | None = None
    ok: bool
    result: ScoreResponse | None = None
    error: ErrorDetail | None = None


class BatchResponse(BaseModel):
    results: list[BatchItem]
    count: int
    errors: int
    model_version: str


# -- reference data ---------------------------------------------------------------------------------------

class Bilingual(BaseModel):
    id: str
    en: str


class IndicatorPublic(BaseModel):
    model_config = _RESPONSE
    name: str
    kind: Literal["risk", "counter"]
    weight: float
    description: Bilingual
    reason: Bilingual
    guidance: str | None = None
    version: str | int | None = None


class IndicatorsPublic(BaseModel):
    version: str
    count: int
    indicators: list[IndicatorPublic]


class Limits(BaseModel):
    max_text_chars: int
    batch_max_items: int
    batch_max_chars: int
    max_body_bytes: int
    max_batch_body_bytes: int
    max_response_bytes: int
    rate_limit_per_minute: int
    score_chars_per_minute: int


class ModelPublic(BaseModel):
    model_config = _RESPONSE
    version: str
    trained_at: str | None = None
    labels: list[str]
    thresholds: dict[str, float]
    metrics: dict[str, Any]
    sha256: str
    file: str
    sklearn_version: str | None = None
    indicators_version: str
    loaded_at: str
    limits: Limits


class Health(BaseModel):
    status: Literal["ok", "ready"]
    model_version: str | None = None
    sha256: str | None = None


# -- feedback ---------------------------------------------------------------------------------------------

_LABELS: tuple[str, ...] = ("low", "other_scam", "high")
_STRING: dict[str, JsonValue] = {"type": "string"}
#: FeedbackCreate's rules between fields, stated in its schema so generated requests and the server agree:
#: a text or its hash; store_text needs the text; "confirmed" means the predicted label was the right one.
#: (That a given text_sha256 matches the text is the one rule a schema cannot state: hash_mismatch.)
_FEEDBACK_RULES: list[JsonValue] = [
    {"anyOf": [{"required": ["text"], "properties": {"text": _STRING}},
               {"required": ["text_sha256"], "properties": {"text_sha256": _STRING}}]},
    {"if": {"required": ["store_text"], "properties": {"store_text": {"const": True}}},
     "then": {"required": ["text"], "properties": {"text": _STRING}}},
    {"if": {"required": ["reason"], "properties": {"reason": {"const": "confirmed"}}},
     "then": {"anyOf": [{"properties": {"predicted_label": {"const": lab}, "correct_label": {"const": lab}}}
                        for lab in _LABELS]}},
]


class FeedbackCreate(BaseModel):
    """Send ``text`` (stored only with ``store_text: true``; otherwise only its SHA-256 is kept) or only
    ``text_sha256`` (hex SHA-256 of the UTF-8 text exactly as scored)."""

    model_config = ConfigDict(strict=True, extra="ignore", json_schema_extra={"allOf": _FEEDBACK_RULES})
    model_version: SafeStr = Field(min_length=1, max_length=64)
    text: PostText | None = None
    text_sha256: str | None = Field(None, pattern=r"^[0-9a-fA-F]{64}$")
    store_text: bool = Field(False, description="Keep the text for retraining (needs `text`).")
    predicted_label: Label
    correct_label: Label
    reason: Reason
    note: Note | None = None
    predicted_score: float | None = Field(None, ge=0.0, le=1.0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _consistent(self) -> FeedbackCreate:
        if self.text is None and self.text_sha256 is None:
            raise PydanticCustomError("text_required", "send text or text_sha256")
        if self.store_text and self.text is None:
            raise PydanticCustomError("text_required", "store_text needs the text")
        if self.text is not None:
            digest = hashlib.sha256(self.text.encode("utf-8")).hexdigest()
            if self.text_sha256 is not None and self.text_sha256.lower() != digest:
                raise PydanticCustomError("hash_mismatch", "text_sha256 is not the SHA-256 of text")
            self.text_sha256 = digest
        elif self.text_sha256 is not None:
            self.text_sha256 = self.text_sha256.lower()
        if self.reason == "confirmed" and self.predicted_label != self.correct_label:
            raise PydanticCustomError("invalid_value", "reason 'confirmed' needs correct_label == predicted_label")
        return self


class FeedbackPublic(BaseModel):
    id: int
    created_at: datetime
    model_version: str
    text_stored: bool
    text_sha256: str
    predicted_label: str
    correct_label: str
    reason: str
    note: str | None = None


class FeedbackStats(BaseModel):
    pending: int = Field(description="Feedback stored since the last acknowledged export "
                                     "(POST /v1/feedback/export/ack).")
    pending_corrections: int = Field(description="Of those, how many say the model was wrong.")
    total: int
    last_export_at: datetime | None = None


class ExportAck(BaseModel):
    model_config = _REQUEST
    last_id: int = Field(ge=0, le=2**62, description="The X-Feedback-Last-Id of the export that was taken.")
