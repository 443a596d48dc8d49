"""GET /v1/model: the loaded model's version, training date, metrics, thresholds and the service limits."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from service.deps import ClientDep, DetectorDep, ModelStateDep, SettingsDep
from service.routes import ERROR_RESPONSES
from service.schemas import ModelPublic

router = APIRouter(prefix="/v1", tags=["reference"], responses=ERROR_RESPONSES)


@router.get("/model", response_model=ModelPublic, summary="The model being served")
async def model(det: DetectorDep, state: ModelStateDep, settings: SettingsDep, _: ClientDep) -> dict[str, Any]:
    meta = det.metadata
    return {
        "version": det.version,
        "trained_at": meta.get("trained_at"),
        "labels": list(det.labels),
        "thresholds": dict(det.thresholds),
        "metrics": meta.get("metrics") or {},
        "sha256": state.sha256,
        "file": state.file,
        "sklearn_version": meta.get("sklearn_version"),
        "indicators_version": str(det.registry.version),
        "loaded_at": state.loaded_at.isoformat() if state.loaded_at else "",
        "limits": settings.limits(),
    }
