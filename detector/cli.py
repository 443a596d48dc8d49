"""The ``detector`` command line: score, explain, scan, train, evaluate, indicators, serve."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from detector.bundle import BundleError

_LEVEL_COLOUR = {"rendah": "green", "sedang": "yellow", "tinggi": "red"}


def _load(model: str | None) -> Any:
    from detector.detector import Detector

    try:
        return Detector.load(model)
    except BundleError as exc:
        raise click.ClickException(str(exc)) from exc


def _read_text(text: str) -> str:
    return sys.stdin.read() if text == "-" else text


def _score_or_fail(det: Any, text: str) -> Any:
    from detector.detector import InvalidTextError

    try:
        return det.score(text)
    except InvalidTextError as exc:
        raise click.ClickException(f"cannot score this text: {exc}") from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tppo-detector")
def main() -> None:
    """Score Indonesian job adverts for human-trafficking (TPPO) recruitment risk."""


@main.command()
@click.argument("text")
@click.option("--model", help="Model folder, manifest or bundle (default: the shipped model).")
@click.option("--lang", type=click.Choice(["id", "en"]), default=None, help="Language of reasons (default: both).")
@click.option("--compact", is_flag=True, help="Leave out reasons and the summary.")
def score(text: str, model: str | None, lang: str | None, compact: bool) -> None:
    """Score TEXT ('-' reads stdin) and print the JSON record."""
    det = _load(model)
    res = _score_or_fail(det, _read_text(text))
    click.echo(json.dumps(res.to_dict(lang=lang, explain=not compact), ensure_ascii=False, indent=None if compact else 2))


@main.command()
@click.argument("text")
@click.option("--model", help="Model folder, manifest or bundle (default: the shipped model).")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
def explain(text: str, model: str | None, lang: str) -> None:
    """Explain TEXT's score with its red flags highlighted in the post."""
    det = _load(model)
    raw = _read_text(text)
    res = _score_or_fail(det, raw)
    colour = _LEVEL_COLOUR[res.risk_level]
    click.echo(click.style(f" {res.risk_level.upper()} ", bg=colour, fg="white", bold=True)
               + f"  risk_score={res.risk_score:.3f}  label={res.label}  model={res.model_version}")
    click.echo(res.summary(lang))
    click.echo()
    click.echo(highlight(raw, res))
    click.echo()
    for h in res.evidence:
        click.echo(click.style(f"⚑ {h.indicator}", fg="red", bold=True) + f" «{h.text}» (w={h.weight}, s={h.score:.2f})")
        click.echo(f"    {h.reason.get(lang)}")
    for h in res.counter_evidence:
        click.echo(click.style(f"✓ {h.indicator}", fg="green", bold=True) + f" «{h.text}»")
        click.echo(f"    {h.reason.get(lang)}")
    for m in res.money:
        per = m.get("idr_per_month_max")
        click.echo(f"💰 «{m['text']}» → {m['currency']} {m['amount_min']:g}–{m['amount_max']:g} per {m['period']}"
                   + (f" ≈ Rp {per:,.0f}/bulan" if per else ""))


def highlight(text: str, res: Any) -> str:
    """The post with red-flag evidence in red and counter-evidence in green (ANSI)."""
    marks = [(h.start, h.end, "red") for h in res.evidence] + [(h.start, h.end, "green") for h in res.counter_evidence]
    marks.sort()
    out, pos = [], 0
    for s, e, col in marks:
        if s < pos:
            continue
        out.append(text[pos:s])
        out.append(click.style(text[s:e], fg=col, bold=True, underline=True))
        pos = e
    out.append(text[pos:])
    return "".join(out)


@main.command()
@click.argument("inp", metavar="IN")
@click.option("--out", required=True, help="Output file (JSONL).")
@click.option("--text-field", default="text", show_default=True)
@click.option("--id-field", default="id", show_default=True)
@click.option("--rejects", default=None, help="Rejected rows (default: OUT.rejects.jsonl).")
@click.option("--model", help="Model folder, manifest or bundle (default: the shipped model).")
@click.option("--compact", is_flag=True, help="Evidence without reasons (smaller output).")
def scan(inp: str, out: str, text_field: str, id_field: str, rejects: str | None, model: str | None,
         compact: bool) -> None:
    """Score every post in IN (JSONL or CSV with id and text) into OUT, one JSON record each."""
    from detector.scan import ScanInputError
    from detector.scan import scan as run_scan

    det = _load(model)
    try:
        summary = run_scan(det, inp, out, text_field=text_field, id_field=id_field, rejects=rejects,
                           explain=not compact)
    except ScanInputError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(summary.to_dict(), ensure_ascii=False), err=True)


def _train_options(f: Any) -> Any:
    opts = [
        click.option("--data-dir", default="data", show_default=True, type=click.Path(path_type=Path)),
        click.option("--loker", "loker_csv", type=click.Path(path_type=Path), default=None,
                     help="Also use the scraped loker.id CSV (real legitimate adverts)."),
        click.option("--feedback", multiple=True, type=click.Path(exists=True, path_type=Path),
                     help="Moderators' feedback export (JSONL); repeatable."),
        click.option("--seed", default=13, show_default=True),
        click.option("--cv-folds", default=5, show_default=True),
        click.option("--estimator", type=click.Choice(["stack", "linear"]), default="stack", show_default=True,
                     help="stack: text LR + indicator features into calibrated gradient boosting; "
                          "linear: one calibrated LR over all features."),
    ]
    for o in reversed(opts):
        f = o(f)
    return f


def _config(data_dir: Path, loker_csv: Path | None, feedback: tuple[Path, ...], seed: int, cv_folds: int,
            estimator: str) -> Any:
    from detector.training import TrainConfig

    if not (data_dir / "seed_adverts.jsonl").is_file():
        raise click.ClickException(f"{data_dir}/seed_adverts.jsonl not found (run from the repository root or pass --data-dir)")
    if loker_csv is not None and not loker_csv.is_file():
        raise click.ClickException(f"--loker {loker_csv}: no such file")
    return TrainConfig(data_dir=data_dir, loker_csv=loker_csv, feedback=list(feedback), seed=seed, cv_folds=cv_folds,
                       estimator=estimator)


@main.command()
@_train_options
@click.option("--out", "out_dir", default="models", show_default=True, type=click.Path(path_type=Path))
def train(out_dir: Path, **kw: Any) -> None:
    """Train, evaluate against baselines, and write the bundle, manifest, report and model card."""
    from detector.training import run

    run(_config(**kw), out_dir, log=lambda m: click.echo(m, err=True), save=True)


@main.command()
@_train_options
@click.option("--out", "out_dir", default="artifacts/evaluation", show_default=True, type=click.Path(path_type=Path))
def evaluate(out_dir: Path, **kw: Any) -> None:
    """Cross-validated and held-out evaluation of the recipe with both baselines (no bundle saved)."""
    from detector.card import render_report
    from detector.training import run

    meta = run(_config(**kw), out_dir, log=lambda m: click.echo(m, err=True), save=False)
    click.echo(render_report(meta))


@main.command()
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
def indicators(lang: str) -> None:
    """List every red flag and counter-evidence indicator with the guidance it encodes."""
    from detector.indicators import IndicatorRegistry

    for ind in IndicatorRegistry.default():
        mark = "⚑" if ind.kind == "risk" else "✓"
        click.echo(f"{mark} {ind.name} (w={ind.weight}): {ind.description.get(lang)}\n    {ind.guidance}")


@main.command()
@click.option("--host", default=None, help="Bind address (default from settings: 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default from settings: 8000).")
@click.option("--workers", default=None, type=int, help="Worker processes (default from settings: 1).")
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Run the HTTP API and the moderators' web page (uvicorn)."""
    try:
        from service.main import run_server
    except ImportError as exc:  # pragma: no cover - the service package ships with the project
        raise click.ClickException(f"the service is not installed: {exc}") from exc
    run_server(host=host, port=port, workers=workers)


if __name__ == "__main__":  # pragma: no cover
    main()
