"""HTML for results in Jupyter (``_repr_html_``): a heading, how the result was made, and its tables.

Numbers are shown to four significant digits; the objects keep full precision (``to_frame()``).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

__all__ = ["html_tables"]

_MAX_ROWS = 30


def _number(x: float) -> str:
    return "" if not np.isfinite(x) else f"{x:.4g}"


def html_tables(title: str, facts: Mapping[str, object], tables: Iterable[tuple[str, pd.DataFrame]],
                notes: Iterable[str] = ()) -> str:
    """An HTML fragment: ``title``, a line of ``facts`` (name: value), then each captioned table.

    >>> frame = pd.DataFrame({"mean": [0.51234, 0.4]}, index=pd.Index(["a", "b"], name="option"))
    >>> text = html_tables("Scores", {"seed": 1}, [("Values", frame)])
    >>> "<h4>Scores</h4>" in text and "0.5123" in text and "seed: 1" in text
    True
    """
    parts = [f"<div class=\"decide-result\"><h4>{html.escape(title)}</h4>"]
    if facts:
        shown = "; ".join(f"{html.escape(str(k))}: {html.escape(str(v))}" for k, v in facts.items())
        parts.append(f"<p>{shown}</p>")
    for caption, frame in tables:
        more = len(frame) - _MAX_ROWS
        body = frame.head(_MAX_ROWS).to_html(float_format=_number, border=0, na_rep="", escape=True)
        parts.append(f"<p><b>{html.escape(caption)}</b></p>{body}")
        if more > 0:
            parts.append(f"<p>… {more} more rows (see <code>to_frame()</code>)</p>")
    for note in notes:
        parts.append(f"<p><i>{html.escape(note)}</i></p>")
    parts.append("</div>")
    return "\n".join(parts)
