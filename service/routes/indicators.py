"""GET /v1/indicators: every red flag and counter-evidence indicator with the guidance it encodes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from detector.indicators import IndicatorRegistry
from service.deps import ClientDep, ModelStateDep
from service.routes import ERROR_RESPONSES, json_bytes
from service.schemas import IndicatorsPublic

router = APIRouter(prefix="/v1", tags=["reference"], responses=ERROR_RESPONSES)


@router.get("/indicators", response_model=IndicatorsPublic, summary="List the red flags")
async def indicators(request: Request, state: ModelStateDep, _: ClientDep) -> Response:
    """Name, kind (`risk` or `counter`), weight, description and reason (id/en), guidance and version of each
    indicator the model uses. Available even when the model is not loaded."""
    cached: bytes | None = getattr(request.app.state, "indicators_json", None)
    if cached is None:
        registry = state.detector.registry if state.detector is not None else IndicatorRegistry.default()
        items = [ind.describe() for ind in registry]
        cached = json_bytes({"version": str(registry.version), "count": len(items), "indicators": items})
        if state.detector is not None:
            request.app.state.indicators_json = cached
    return Response(cached, media_type="application/json", headers={"Cache-Control": "public, max-age=300"})
