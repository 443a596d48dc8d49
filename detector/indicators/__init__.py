"""Red-flag and counter-evidence indicators."""

from detector.indicators.base import Hit, Indicator, LiteralCheck, Pattern, Text2
from detector.indicators.registry import Analysis, IndicatorRegistry

__all__ = ["Analysis", "Hit", "Indicator", "IndicatorRegistry", "LiteralCheck", "Pattern", "Text2"]
