"""The ``detector`` command line: score, explain, scan, train, evaluate, assess, indicators, serve."""

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


_IMAGE_OPTION = click.option(
    "--image", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Read the advert from a poster image (PNG, JPEG, WebP) with Tesseract instead of TEXT.")
_PREPROCESS_OPTION = click.option(
    "--preprocess", type=click.Choice(["none", "grey", "full", "best"]), default="grey", show_default=True,
    help="Image pre-processing before reading (see detector/ocr/preprocess.py).")


def _text_or_image(det: Any, text: str | None, image: Path | None, preprocess: str) -> tuple[str, Any]:
    """(the text scored, its result): TEXT as given, or the text read from IMAGE."""
    if image is None:
        raw = _read_text(str(text))
        return raw, _score_or_fail(det, raw)
    from detector.detector import InvalidTextError
    from detector.ocr import ImageError, score_image

    try:
        res = score_image(det, image, mode=preprocess)  # type: ignore[arg-type]
    except ImageError as exc:
        raise click.ClickException(f"{image}: {exc} [{exc.code}]") from exc
    except InvalidTextError as exc:
        raise click.ClickException(f"{image}: the text read cannot be scored: {exc}") from exc
    return res.extra["ocr"]["text"], res


@main.command()
@click.argument("text", required=False)
@_IMAGE_OPTION
@_PREPROCESS_OPTION
@click.option("--model", help="Model folder, manifest or bundle (default: the shipped model).")
@click.option("--lang", type=click.Choice(["id", "en"]), default=None, help="Language of reasons (default: both).")
@click.option("--compact", is_flag=True, help="Leave out reasons and the summary.")
def score(text: str | None, image: Path | None, preprocess: str, model: str | None, lang: str | None,
          compact: bool) -> None:
    """Score TEXT ('-' reads stdin), or the poster --image, and print the JSON record (for an image
    with `ocr`: the text read, and `boxes`: each evidence item's boxes on the image)."""
    if (text is None) == (image is None):
        raise click.UsageError("give either TEXT or --image PATH")
    det = _load(model)
    _, res = _text_or_image(det, text, image, preprocess)
    record = res.to_dict(lang=lang, explain=not compact)
    click.echo(json.dumps(record, ensure_ascii=False, indent=None if compact else 2))


@main.command()
@click.argument("text", required=False)
@_IMAGE_OPTION
@_PREPROCESS_OPTION
@click.option("--model", help="Model folder, manifest or bundle (default: the shipped model).")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
def explain(text: str | None, image: Path | None, preprocess: str, model: str | None, lang: str) -> None:
    """Explain TEXT's (or the poster --image's) score with its red flags highlighted in the post."""
    if (text is None) == (image is None):
        raise click.UsageError("give either TEXT or --image PATH")
    det = _load(model)
    raw, res = _text_or_image(det, text, image, preprocess)
    colour = _LEVEL_COLOUR[res.risk_level]
    click.echo(click.style(f" {res.risk_level.upper()} ", bg=colour, fg="white", bold=True)
               + f"  risk_score={res.risk_score:.3f}  label={res.label}  kind={res.kind}  model={res.model_version}")
    click.echo(res.summary(lang))
    ocr = res.extra.get("ocr")
    if ocr:
        click.echo(f"read from {image} ({ocr['width']}×{ocr['height']}) by {ocr['engine']} {ocr['engine_version']}, "
                   f"{ocr['words']} words, mean confidence {ocr['mean_confidence']:.0f}/100")
    if res.risk_level == "tinggi" and not res.needs_action:
        click.echo("(Not a post to act on: it reports or warns about an offer; its red flags are shown below.)"
                   if lang == "en" else
                   "(Bukan postingan untuk ditindak: teks ini melaporkan atau memperingatkan tentang sebuah tawaran; "
                   "tanda bahayanya tetap ditampilkan di bawah.)")
    click.echo()
    click.echo(highlight(raw, res))
    click.echo()
    boxes = res.extra.get("boxes") or [None] * len(res.evidence)
    for h, b in zip(res.evidence, boxes, strict=True):
        flag = click.style(f"⚑ {h.indicator}", fg="red", bold=True)
        click.echo(f"{flag} «{h.text}» (w={h.weight}, s={h.score:.2f})" + _where(b))
        click.echo(f"    {h.reason.get(lang)}")
    counter_boxes = res.extra.get("counter_boxes") or [None] * len(res.counter_evidence)
    for h, b in zip(res.counter_evidence, counter_boxes, strict=True):
        click.echo(click.style(f"✓ {h.indicator}", fg="green", bold=True) + f" «{h.text}»" + _where(b))
        click.echo(f"    {h.reason.get(lang)}")
    for m in res.money:
        click.echo(f"💰 «{m['text']}» → {_money_line(m)}")


def _where(entry: dict[str, Any] | None) -> str:
    """`` at x,y w×h`` for each box of an evidence item on the image ('' for a typed post)."""
    if not entry:
        return ""
    boxes = entry["boxes"]
    if not boxes:
        return " (no box on the image)"
    return " at " + "; ".join(f"{b['x']},{b['y']} {b['w']}×{b['h']}" for b in boxes)


def _amount(x: float) -> str:
    """12500000 → ``12.500.000`` (Indonesian thousands separator)."""
    text = f"{x:,.0f}" if x == int(x) else f"{x:,.2f}"
    return text.translate(str.maketrans(",.", ".,"))


def _money_line(m: dict[str, Any]) -> str:
    lo, hi = m["amount_min"], m["amount_max"]
    amount = _amount(lo) if lo == hi else f"{_amount(lo)}–{_amount(hi)}"
    line = f"{m['currency']} {amount}" + (f" per {m['period']}" if m["period"] != "unknown" else "")
    per_lo, per_hi = m.get("idr_per_month_min"), m.get("idr_per_month_max")
    if per_hi and (m["currency"] != "IDR" or m["period"] != "month"):
        per = _amount(per_hi) if not per_lo or per_lo == per_hi else f"{_amount(per_lo)}–{_amount(per_hi)}"
        line += f" ≈ Rp {per}/bulan"
    return line


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
@click.option("--out", required=True,
              help="Output file (.jsonl, .csv, .tsv, .parquet; .gz for text) or, with --engine, a folder.")
@click.option("--text-field", default="text", show_default=True)
@click.option("--id-field", default=None,
              help="Field of the post id (default: 'id', where rows have it; a field named here must exist).")
@click.option("--image-field", default=None,
              help="Score the poster images whose paths are in this column (e.g. image_path) instead of texts.")
@click.option("--input-format", type=click.Choice(["jsonl", "csv", "tsv", "parquet"]), default=None,
              help="Format of IN when its name does not tell (e.g. CSV on stdin).")
@click.option("--out-format", type=click.Choice(["jsonl", "csv", "tsv", "parquet"]), default=None,
              help="Format of the part files when --out is a folder (default parquet).")
@click.option("--rejects", default=None,
              help="Rejected rows (default: OUT.rejects.jsonl; OUT/rejects.jsonl for a folder).")
@click.option("--model", help="Model folder, manifest or bundle (default: the shipped model).")
@click.option("--compact", is_flag=True, help="Evidence without reasons (smaller output).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Processes (local) or workers (LocalCluster / local[N]); default: all cores.")
@click.option("--engine", type=click.Choice(["local", "dask", "spark"]), default="local", show_default=True)
@click.option("--scheduler", default=None, help="Dask scheduler address of an existing cluster (tcp://host:8786).")
@click.option("--master", default=None, help="Spark master of an existing cluster (default local[JOBS]).")
@click.option("--resume", is_flag=True, help="Continue an interrupted run (rows already done are not rescored).")
@click.option("--report", default=None, help="Write a summary report (.md or .html).")
@click.option("--summary-json", default=None, help="Write the summary as JSON ('-' for stdout).")
@click.option("--chunk-size", type=click.IntRange(min=1), default=1024, show_default=True)
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary on stderr.")
@click.option("--max-reject-rate", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              help="Fail (exit 1, outputs kept) when a larger share of the rows is rejected.")
def scan(inp: str, out: str, text_field: str, id_field: str | None, image_field: str | None,
         input_format: str | None, out_format: str | None, rejects: str | None, model: str | None, compact: bool,
         jobs: int | None, engine: str, scheduler: str | None, master: str | None, resume: bool, report: str | None,
         summary_json: str | None,
         chunk_size: int, progress: bool | None, quiet: bool, max_reject_rate: float) -> None:
    """Score every post in IN (JSONL, CSV, TSV or Parquet, optionally gzip; '-' is stdin; with
    --engine a glob or folder) into OUT, one record per post; unscoreable rows go to the rejects file.
    IN may also be poster images: a folder, a glob or a .txt list of PNG/JPEG/WebP files (local engine)."""
    import os

    from detector.batch.formats import EngineError, ScanInputError
    from detector.batch.progress import wanted
    from detector.batch.report import HTML_SUFFIXES, MARKDOWN_SUFFIXES
    from detector.batch.signals import ScanInterrupted

    if report and not report.lower().endswith(HTML_SUFFIXES + MARKDOWN_SUFFIXES):
        raise click.BadParameter("name the report .md or .html", param_hint="--report")
    if engine == "local" and (scheduler or master):
        raise click.BadParameter("--scheduler needs --engine dask, --master needs --engine spark")
    jobs = jobs or os.cpu_count() or 1
    show = False if quiet else wanted(progress)
    if engine != "local" and image_field:
        raise click.BadParameter("image scans run on the local engine", param_hint="--image-field")
    if engine != "local":
        from detector.batch.images import image_paths

        if image_paths(inp) is not None:
            raise click.BadParameter(f"{inp} names images; image scans run on the local engine (--engine local)",
                                     param_hint="--engine")
    try:
        if engine == "local":
            from detector.batch.local import scan as run_scan

            summary = run_scan(_load(model), inp, out, text_field=text_field, id_field=id_field, rejects=rejects,
                               batch_size=chunk_size, explain=not compact, jobs=jobs, resume=resume,
                               input_format=input_format, progress=show, image_field=image_field)
        else:
            summary = _scan_engine(engine, inp, out, model=model, text_field=text_field, id_field=id_field,
                                   explain=not compact, jobs=jobs, out_format=out_format, rejects=rejects,
                                   resume=resume, input_format=input_format, progress=show, scheduler=scheduler,
                                   master=master, chunk_size=chunk_size)
    except (ScanInputError, BundleError, EngineError) as exc:
        raise click.ClickException(str(exc)) from exc
    except ScanInterrupted as exc:
        click.echo(exc.message(), err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted; run the same command with --resume to continue", err=True)
        sys.exit(130)
    except OSError as exc:
        raise click.ClickException(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": ")) from exc
    if report:
        from detector.batch.report import write_report

        write_report(summary, report, title=f"Scan report: {inp}")
    if summary_json:
        text = json.dumps(summary.to_dict(), ensure_ascii=False, indent=2)
        if summary_json == "-":
            click.echo(text)
        else:
            Path(summary_json).write_text(text + "\n", encoding="utf-8")
    if not quiet:
        for line in summary.lines():
            click.echo(line, err=True)
    if summary.reject_rate() > max_reject_rate:
        raise click.ClickException(f"{summary.rejected:,} of {summary.rows_read:,} rows ({summary.reject_rate():.0%}) "
                                   f"were rejected, more than --max-reject-rate {max_reject_rate:g}: check "
                                   f"{'--image-field' if image_field else '--text-field'} and the input, and the "
                                   "rejects file for the reasons")


def _scan_engine(engine: str, inp: str, out: str, *, model: str | None, **kw: Any) -> Any:
    from detector.batch.engines.driver import scan_engine
    from detector.batch.shipping import ShippedBundle

    if engine == "spark":
        _check_spark()
    else:
        try:
            import distributed  # noqa: F401
        except ImportError as exc:
            raise click.ClickException(
                "--engine dask needs dask.distributed: pip install 'tppo-detector[dask]'") from exc
    return scan_engine(engine, inp, out, bundle=ShippedBundle.from_model(model), **kw)


def _check_spark() -> None:
    import os
    import shutil

    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise click.ClickException("--engine spark needs pyspark: pip install 'tppo-detector[spark]'") from exc
    if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
        raise click.ClickException("--engine spark needs a Java runtime (java on PATH or JAVA_HOME)")


def _train_options(f: Any) -> Any:
    opts = [
        click.option("--data-dir", default="data", show_default=True, type=click.Path(path_type=Path)),
        click.option("--loker", "loker_csv", type=click.Path(path_type=Path), default=None,
                     help="Also use the scraped loker.id CSV (real legitimate adverts)."),
        click.option("--sms", "sms_csv", type=click.Path(path_type=Path), default=None,
                     help="Also use real SMS that are not job adverts (../shared/data/sms_spam_id.csv): "
                          "half trains as low, half is held out and reported."),
        click.option("--feedback", multiple=True, type=click.Path(exists=True, path_type=Path),
                     help="Moderators' feedback export (JSONL); repeatable."),
        click.option("--seed", default=13, show_default=True),
        click.option("--cv-folds", default=4, show_default=True),
        click.option("--text/--no-text", "use_text", default=True, show_default=True,
                     help="Let the risk model read a text model's P(high) (claims and news words blanked) beside "
                          "the red flags; --no-text: red flags alone."),
    ]
    for o in reversed(opts):
        f = o(f)
    return f


def _config(data_dir: Path, loker_csv: Path | None, sms_csv: Path | None, feedback: tuple[Path, ...], seed: int,
            cv_folds: int, use_text: bool) -> Any:
    from detector.training.train import TrainConfig

    if not (data_dir / "seed_adverts.jsonl").is_file():
        raise click.ClickException(
            f"{data_dir}/seed_adverts.jsonl not found (run from the repository root or pass --data-dir)")
    if loker_csv is not None and not loker_csv.is_file():
        raise click.ClickException(f"--loker {loker_csv}: no such file")
    if sms_csv is not None and not sms_csv.is_file():
        raise click.ClickException(f"--sms {sms_csv}: no such file")
    return TrainConfig(data_dir=data_dir, loker_csv=loker_csv, sms_csv=sms_csv, feedback=list(feedback), seed=seed,
                       cv_folds=cv_folds, use_text=use_text)


@main.command()
@_train_options
@click.option("--out", "out_dir", default="models", show_default=True, type=click.Path(path_type=Path))
def train(out_dir: Path, **kw: Any) -> None:
    """Train, evaluate against baselines, and write the bundle, manifest, report and model card."""
    from detector.training.train import run

    run(_config(**kw), out_dir, log=lambda m: click.echo(m, err=True), save=True)


@main.command()
@_train_options
@click.option("--out", "out_dir", default="artifacts/evaluation", show_default=True, type=click.Path(path_type=Path))
def evaluate(out_dir: Path, **kw: Any) -> None:
    """Cross-validated and held-out evaluation of the recipe with both baselines (no bundle saved)."""
    from detector.training.card import render_report
    from detector.training.train import run

    meta = run(_config(**kw), out_dir, log=lambda m: click.echo(m, err=True), save=False)
    click.echo(render_report(meta))


@main.command()
@click.argument("labelled", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--model", help="Model folder, manifest or bundle (default: the shipped model).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON instead of Markdown.")
def assess(labelled: Path, model: str | None, as_json: bool) -> None:
    """Score a labelled JSONL file (id, text, label, category per line) with a trained model, at its
    stored thresholds, and report precision/recall at tinggi, hard negatives, per category …"""
    from detector.detector import text_problem
    from detector.training.card import _block
    from detector.training.data import load_jsonl
    from detector.training.evaluation import assess as run_assess

    try:
        records = load_jsonl(labelled, source="assess")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{labelled}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except ValueError as exc:  # invalid JSON, missing fields, unknown labels: with file and line
        raise click.ClickException(str(exc)) from exc
    if not records:
        raise click.ClickException(f"{labelled}: no labelled rows")
    bad = [(r.id, p[1]) for r in records if (p := text_problem(r.text)) is not None]
    if bad:
        raise click.ClickException(f"{labelled}: row {bad[0][0]!r} cannot be scored: {bad[0][1]}")
    det = _load(model)
    rep = run_assess(det, records)
    if as_json:
        click.echo(json.dumps(rep["model"], indent=2))
    else:
        click.echo("\n".join(_block(f"{labelled.name} with model {det.version} ({det.bundle.sha256[:8]})", rep)))


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
