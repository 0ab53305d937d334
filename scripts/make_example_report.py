"""Regenerate the example report for the bundled Mali case under docs/examples/mali-2012/.

    python scripts/make_example_report.py [OUT_DIR]

The date is fixed (SOURCE_DATE_EPOCH) and so are the seed and the number of draws, so the
Markdown is identical on every run; tests/report/test_example_report.py checks that.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

CASE = "mali-2012"
SEED = 20121
N_DRAWS = 20_000
DATE_EPOCH = "1795564800"  # the example's fixed date (2026-11-25), so reruns match byte for byte
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "docs" / "examples" / CASE


def main(out_dir: Path = DEFAULT_OUT) -> Path:
    os.environ["SOURCE_DATE_EPOCH"] = DATE_EPOCH
    from decide.report.build import run_analyses
    from decide.report.write import write_report

    analyses = run_analyses(CASE, n_draws=N_DRAWS, seed=SEED)
    return write_report(analyses, out_dir)


if __name__ == "__main__":
    print(main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT) / "report.md")
