"""The indicator registry: loads declarative definitions (YAML) and runs them over a post."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from detector.indicators.base import AnalysisContext, Hit, Indicator, LiteralCheck, Pattern, Text2
from detector.indicators.prefilter import LiteralScreen, requirement, single_spaced
from detector.money import Money, find_money
from detector.normalize import Normalized, normalize

_ALLOWED_KEYS = {
    "name", "kind", "weight", "description", "reason", "guidance", "patterns", "negations",
    "context", "context_boost", "window", "version", "class", "clause_negations", "negation_words",
}


@dataclass(frozen=True)
class Analysis:
    """Everything the rules found in one post; the learned model reads it as features."""

    normalized: Normalized
    hits: tuple[Hit, ...]
    money: tuple[Money, ...]

    @property
    def original(self) -> str:
        return self.normalized.original

    @property
    def risk_hits(self) -> list[Hit]:
        return [h for h in self.hits if h.kind == "risk"]

    @property
    def counter_hits(self) -> list[Hit]:
        return [h for h in self.hits if h.kind == "counter"]

    def flags(self) -> list[str]:
        """Names of the red flags that fired, in registry order of first appearance."""
        return list(dict.fromkeys(h.indicator for h in self.risk_hits))

    def money_dicts(self) -> list[dict[str, Any]]:
        """Salaries and amounts with offsets into the ORIGINAL text."""
        out = []
        for m in self.money:
            start, end = self.normalized.to_original(m.start, m.end)
            d = m.to_dict()
            d.update(start=start, end=end, text=self.original[start:end])
            out.append(d)
        return out


class IndicatorRegistry:
    """An ordered, validated collection of indicators."""

    def __init__(self, indicators: Iterable[Indicator], version: str = "custom") -> None:
        self._indicators: dict[str, Indicator] = {}
        for ind in indicators:
            if ind.name in self._indicators:
                raise ValueError(f"duplicate indicator name {ind.name!r}")
            self._indicators[ind.name] = ind
        if not self._indicators:
            raise ValueError("a registry needs at least one indicator")
        self.version = version
        # One literal scan per text decides which patterns can match (patterns are kept alive by
        # self._indicators, so their id() is stable). Normalised text has only lone plain spaces,
        # so the literals may span words ("tanpa pengalaman").
        patterns = {id(pat): pat for ind in self._indicators.values() for pat in ind.patterns}
        checks: dict[str, LiteralCheck] = {}  # the indicators' literal checks, by name
        for ind in self._indicators.values():
            for check in ind.literal_checks():
                if checks.setdefault(check.name, check) != check:
                    raise ValueError(f"{ind.name}: literal check {check.name!r} names another regex than before")
        self._screen: LiteralScreen[int | str] = LiteralScreen(
            [(key, requirement(pat.regex, single_spaces=True)) for key, pat in patterns.items()]
            # a regex with too many literals for the single-space reading still has a plain one
            + [(name, requirement(c.regex, single_spaces=True) or c.fallback) for name, c in checks.items()])
        self._screened = frozenset(patterns) | frozenset(checks)
        #: (indicator, ids of its patterns, whether it does nothing but run them: then it can be
        #: skipped when the screen rules all of them out)
        self._plan = [(ind, frozenset(map(id, ind.patterns)),
                       type(ind).analyze is Indicator.analyze and type(ind).extra_hits is Indicator.extra_hits)
                      for ind in self._indicators.values()]

    # -- construction ---------------------------------------------------------------------------
    @classmethod
    def from_yaml(cls, *sources: str | Path) -> IndicatorRegistry:
        indicators: list[Indicator] = []
        versions = []
        for src in sources:
            text = Path(src).read_text(encoding="utf-8")
            doc = yaml.safe_load(text)
            indicators.extend(_parse_document(doc, str(src)))
            versions.append(str(doc.get("version", "0")))
        return cls(indicators, version="+".join(versions))

    @classmethod
    def default(cls) -> IndicatorRegistry:
        return _default_registry()

    # -- access ---------------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Indicator]:
        return iter(self._indicators.values())

    def __len__(self) -> int:
        return len(self._indicators)

    def __getitem__(self, name: str) -> Indicator:
        return self._indicators[name]

    def names(self, kind: str | None = None) -> list[str]:
        return [i.name for i in self if kind is None or i.kind == kind]

    # -- running --------------------------------------------------------------------------------
    def analyze(self, text: str) -> Analysis:
        if not isinstance(text, str):
            raise TypeError(f"expected a str, got {type(text).__name__}")
        norm = normalize(text)
        money = tuple(find_money(norm.text))
        hits: list[Hit] = []
        if single_spaced(norm.text):
            runnable = self._screen.passing(norm.text)
            ctx = AnalysisContext(normalized=norm, money=money, screened=self._screened, runnable=runnable)
            for ind, keys, patterns_only in self._plan:
                if not (patterns_only and runnable.isdisjoint(keys)):  # else it would find nothing
                    hits.extend(ind.analyze(ctx))
        else:  # not normalised as expected: each pattern checks its own (whitespace-agnostic) literals
            ctx = AnalysisContext(normalized=norm, money=money)
            for ind in self:
                hits.extend(ind.analyze(ctx))
        return Analysis(normalized=norm, hits=tuple(drop_counter_inside_red_flags(hits)), money=money)


#: Red flags whose evidence is a bare place name: "Japan" inside "IM Japan" or "Korea" inside "EPS
#: Korea" is no red-flag sentence, so they never cancel counter-evidence.
PLACE_FLAGS = frozenset({"overseas"})


def drop_counter_inside_red_flags(hits: list[Hit]) -> list[Hit]:
    """Drop counter-evidence whose words overlap a red flag's evidence: "tidak perlu lewat BP2MI" is a
    red flag (nonprocedural), not an official channel; "lewat jalur tikus" is a route offered, not a
    warning about one. A red flag never lowers risk at the rule level."""
    risk = [(h.start, h.end) for h in hits if h.kind == "risk" and h.indicator not in PLACE_FLAGS]
    if not risk or all(h.kind == "risk" for h in hits):
        return hits
    return [h for h in hits if h.kind == "risk" or not any(s < h.end and h.start < e for s, e in risk)]


@functools.cache
def _default_registry() -> IndicatorRegistry:
    ref = resources.files("detector") / "resources" / "indicators.yaml"
    with resources.as_file(ref) as path:
        return IndicatorRegistry.from_yaml(path)


def _parse_document(doc: Any, source: str) -> list[Indicator]:
    if not isinstance(doc, dict) or not isinstance(doc.get("indicators"), list):
        raise ValueError(f"{source}: expected a mapping with an 'indicators' list")
    return [_parse_indicator(spec, f"{source}[{i}]") for i, spec in enumerate(doc["indicators"])]


def _parse_indicator(spec: Any, where: str) -> Indicator:
    if not isinstance(spec, dict):
        raise ValueError(f"{where}: each indicator must be a mapping")
    unknown = set(spec) - _ALLOWED_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    try:
        cls = _load_class(spec.get("class"))
        return cls(
            name=spec["name"],
            kind=spec["kind"],
            weight=float(spec["weight"]),
            description=Text2(**spec["description"]),
            reason=Text2(**spec["reason"]),
            guidance=spec["guidance"],
            patterns=tuple(_parse_pattern(p) for p in spec.get("patterns", [])),
            negations=tuple(_as_str_list(spec.get("negations", []))),
            clause_negations=_as_bool(spec.get("clause_negations", False)),
            negation_words=int(spec.get("negation_words", 0)),
            context=tuple(_as_str_list(spec.get("context", []))),
            context_boost=float(spec.get("context_boost", 0.15)),
            window=int(spec.get("window", 30)),
            version=int(spec.get("version", 1)),
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"{where} ({spec.get('name', '?')}): malformed indicator: {exc!r}") from exc
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from exc


_PATTERN_KEYS = {"name", "regex", "score", "details"}


def _parse_pattern(p: Any) -> Pattern:
    if not isinstance(p, dict) or set(p) - _PATTERN_KEYS:
        raise ValueError(f"pattern {p!r}: expected a mapping with keys among {sorted(_PATTERN_KEYS)}")
    details = p.get("details", {})
    if not isinstance(details, dict):
        raise ValueError(f"pattern {p.get('name')!r}: details must be a mapping")
    return Pattern(p["name"], p["regex"], float(p["score"]), details=details)


def _as_bool(v: Any) -> bool:
    if not isinstance(v, bool):
        raise ValueError(f"expected true or false, got {v!r}")
    return v


def _as_str_list(v: Sequence[Any]) -> list[str]:
    if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
        raise ValueError("expected a list of non-empty strings")
    return [x.lower() for x in v]


def _load_class(path: str | None) -> type[Indicator]:
    if path is None:
        return Indicator
    module_name, _, attr = path.partition(":")
    if not module_name.startswith("detector.") or not attr:
        raise ValueError(f"indicator class {path!r} must be 'detector.<module>:<Class>'")
    cls = getattr(importlib.import_module(module_name), attr)
    if not (isinstance(cls, type) and issubclass(cls, Indicator)):
        raise ValueError(f"{path!r} is not an Indicator subclass")
    return cls
