"""Refresh docs/screenshots/ from the browser tests' screenshots (tests/_screenshots/).

    .venv/bin/python scripts/update_screenshots.py          # runs tests/web and tests/extension first
    .venv/bin/python scripts/update_screenshots.py --no-run # only copies what the last run left

Each screenshot of the set is named for the state it shows; docs/screenshots/README.md lists them.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHOTS = REPO / "tests" / "_screenshots"
DOCS = REPO / "docs" / "screenshots"

#: docs name -> the test screenshot it is copied from
SET = {
    "page-01-risky-offer.png": "01_risky_post_desktop.png",
    "page-02-job-fraud.png": "job_fraud_post.png",
    "page-03-kinds-report-warning-question-offer.png": "kinds_report_warning_question_offer.png",
    "page-04-queue-bulk-escalated.png": "queue_bulk_escalated.png",
    "page-05-queue-keyboard-review.png": "queue_keyboard_review.png",
    "page-06-column-picker.png": "12_column_picker.png",
    "page-07-bad-rows.png": "07_bad_rows.png",
    "page-08-phone-result.png": "03b_risky_post_phone_result.png",
    "page-09-phone-queue.png": "09_table_phone.png",
    "page-10-service-unreachable.png": "11_service_unreachable.png",
    "page-11-english.png": "05_english.png",
    "ext-01-feed-badges.png": "extension_feed.png",
    "ext-02-popover-mark-wrong.png": "extension_feed_mark_wrong.png",
    "ext-03-quiet-pending.png": "extension_article_pending.png",
    "ext-04-quiet-low-and-skipped.png": "extension_article_scored.png",
    "ext-05-quiet-failed.png": "extension_article_failed.png",
    "ext-06-popup-english.png": "extension_popup_english.png",
    "ext-07-popup-key-rejected.png": "extension_popup_key_rejected.png",
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-run", action="store_true", help="do not run the browser tests first")
    args = ap.parse_args()
    if not args.no_run:
        cmd = [sys.executable, "-m", "pytest", "-q", "tests/web", "tests/extension"]
        if subprocess.run(cmd, cwd=REPO, check=False).returncode != 0:
            print("browser tests failed; screenshots not copied", file=sys.stderr)
            return 1
    missing = [src for src in SET.values() if not (SHOTS / src).is_file()]
    if missing:
        print("missing screenshots (run the browser tests): " + ", ".join(missing), file=sys.stderr)
        return 1
    DOCS.mkdir(parents=True, exist_ok=True)
    for name, src in SET.items():
        shutil.copyfile(SHOTS / src, DOCS / name)
    print(f"{len(SET)} screenshots in {DOCS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
