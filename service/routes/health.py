"""GET /healthz (the process is up) and GET /readyz (the model is loaded and verified)."""

from __future__ import annotations

from fastapi import APIRouter

from service.deps import ModelStateDep
from service.errors import ApiError
from service.schemas import ErrorBody, Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="Liveness")
async def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz", response_model=Health, summary="Readiness: model loaded and verified by its hash",
            responses={503: {"model": ErrorBody, "description": "Model missing, tampered or unloadable"}})
async def readyz(state: ModelStateDep) -> Health:
    if state.detector is None:
        raise ApiError(503, "model_unavailable", f"not ready: {state.error}", headers={"Retry-After": "30"})
    return Health(status="ready", model_version=state.detector.version, sha256=state.sha256)
