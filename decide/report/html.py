"""The report as one self-contained HTML file: the Markdown report rendered, every chart embedded.

Rendered from the Markdown that :mod:`decide.report.markdown` writes, so the HTML says what the
Markdown says, section for section. Charts become ``data:image/png;base64`` URIs; nothing is
fetched from the network (no fonts, scripts or styles from elsewhere; a link to the web is shown
as its text and address, not followed). Wide tables scroll inside their own box, so the page fits
a 390 px phone; a print style lays the tables out in full for PDF. Table columns sort when their
header is clicked (a few lines of inline script; the page reads the same without it).

The Markdown's raw HTML is not rendered (the report escapes a case's text already; this keeps
it so): markdown-it-py in CommonMark mode with ``html`` off, plus tables.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Mapping
from pathlib import Path

__all__ = ["render_html", "html_from_report_dir", "REPORT_HTML"]

REPORT_HTML = "report.html"

_CSS = """
:root { color-scheme: light; --ink: #1d2329; --muted: #5b6670; --rule: #d5dbe0; --head: #eef2f5; --accent: #1f5f8b; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff;
       font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 62rem; margin: 0 auto; padding: 0.75rem 1rem 3rem; }
h1 { font-size: 1.45rem; line-height: 1.25; margin: 0.4rem 0 0.4rem; }
h2 { font-size: 1.25rem; margin: 1.8rem 0 0.5rem; padding-top: 0.4rem; border-top: 2px solid var(--rule); }
h3 { font-size: 1.05rem; margin: 1.3rem 0 0.4rem; }
p, li, blockquote { overflow-wrap: anywhere; }
td, th { overflow-wrap: break-word; }
p { margin: 0.5rem 0; }
blockquote { margin: 0.6rem 0; padding: 0.1rem 0.8rem; border-left: 4px solid var(--rule); color: var(--muted); }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.88em;
       background: #f3f5f7; padding: 0 0.2em; border-radius: 3px; overflow-wrap: anywhere; word-break: break-word; }
pre { overflow-x: auto; background: #f3f5f7; padding: 0.6rem; }
.table-wrap { max-width: 100%; overflow-x: auto; margin: 0.6rem 0; }
table { border-collapse: collapse; font-size: 0.86rem; line-height: 1.3; }
th, td { padding: 0.28rem 0.55rem; border-bottom: 1px solid var(--rule); vertical-align: top; text-align: left; }
th { background: var(--head); font-weight: 600; }
td code { overflow-wrap: break-word; word-break: normal; }
.report-meta td code { word-break: break-all; }
th[data-sort] { cursor: pointer; user-select: none; }
th[aria-sort="ascending"]::after { content: " \\25B2"; font-size: 0.7em; }
th[aria-sort="descending"]::after { content: " \\25BC"; font-size: 0.7em; }
img { display: block; max-width: 100%; height: auto; margin: 0.6rem 0; }
.report-meta table { font-size: 0.78rem; }
.report-meta th:empty { display: none; }
.report-meta td { padding: 0.12rem 0.5rem; }
.report-meta thead { display: none; }
a { color: var(--accent); }
.ext { color: var(--muted); font-size: 0.9em; }
@media (max-width: 600px) {
  body { font-size: 15px; }
  main { padding: 0.5rem 0.75rem 2rem; }
  h1 { font-size: 1.25rem; }
  table { font-size: 0.8rem; }
}
@media print {
  @page { margin: 14mm 12mm; }
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  .table-wrap { overflow: visible; }
  table { font-size: 8pt; }
  tr, img, blockquote { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  th[data-sort] { cursor: auto; }
  th::after { content: none !important; }
}
"""

_SCRIPT = """
(function () {
  function key(cell) {
    var text = (cell.textContent || "").trim();
    var m = text.replace(/[\\u2212\\u2013]/g, "-").replace(/[,%+]/g, "").match(/^-?\\d+(\\.\\d+)?(e-?\\d+)?/i);
    return m ? parseFloat(m[0]) : text.toLowerCase();
  }
  function compare(a, b) {
    if (typeof a === "number" && typeof b === "number") return a - b;
    if (typeof a === "number") return -1;
    if (typeof b === "number") return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  document.querySelectorAll("main table").forEach(function (table) {
    var body = table.tBodies[0];
    if (!body || body.rows.length < 3 || !table.tHead) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
      th.setAttribute("data-sort", "");
      th.setAttribute("tabindex", "0");
      th.title = "Sort by this column";
      function sort() {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(th.parentNode.cells, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r, s) {
          var c = compare(key(r.cells[column]), key(s.cells[column]));
          return ascending ? c : -c;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); } });
    });
  });
})();
"""

_WEB = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)


def _markdown_it():
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    default_image = md.renderer.rules.get("image")

    def image(tokens, idx, options, env):
        token = tokens[idx]
        src = token.attrGet("src") or ""
        data = env.get("images", {}).get(src)
        alt = html.escape(token.content or "", quote=True)
        if data is None:  # never leave a link the browser would fetch
            return f'<span class="missing-image">[{alt}]</span>'
        token.attrSet("src", data)
        return default_image(tokens, idx, options, env) if default_image else f'<img src="{data}" alt="{alt}">'

    def link_open(tokens, idx, options, env):
        token = tokens[idx]
        href = token.attrGet("href") or ""
        if _WEB.match(href) and not href.startswith("#"):
            env.setdefault("_links", []).append(href)
            return '<span class="link">'
        env.setdefault("_links", []).append(None)
        return md.renderer.renderToken(tokens, idx, options, env)

    def link_close(tokens, idx, options, env):
        href = env.get("_links", [None]).pop() if env.get("_links") else None
        if href is not None:
            return f'</span> <span class="ext">({html.escape(href)})</span>'
        return md.renderer.renderToken(tokens, idx, options, env)

    def table_open(tokens, idx, options, env):
        first = not env.get("_tables")
        env["_tables"] = env.get("_tables", 0) + 1
        cls = "table-wrap report-meta" if first and env.get("meta_first") else "table-wrap"
        return f'<div class="{cls}">' + md.renderer.renderToken(tokens, idx, options, env)

    def table_close(tokens, idx, options, env):
        return md.renderer.renderToken(tokens, idx, options, env) + "</div>"

    md.renderer.rules["image"] = image
    md.renderer.rules["link_open"] = link_open
    md.renderer.rules["link_close"] = link_close
    md.renderer.rules["table_open"] = table_open
    md.renderer.rules["table_close"] = table_close
    return md


def render_html(markdown_text: str, images: Mapping[str, bytes], *, title: str | None = None) -> str:
    """One HTML page for the Markdown report, with ``images`` (file name -> PNG or SVG bytes) embedded.

    The report's first table (case file, seed, draws, version), when it comes before the first
    section, is set small, so the Summary opens the first screen.
    """
    uris = {name: _data_uri(name, data) for name, data in images.items()}
    first_table = markdown_text.find("\n|")
    first_section = markdown_text.find("\n## ")
    env = {"images": uris, "meta_first": 0 <= first_table < first_section or (first_table >= 0 > first_section)}
    body = _markdown_it().render(markdown_text, env)
    if title is None:
        match = re.search(r"^# (.+)$", markdown_text, re.MULTILINE)
        title = match.group(1).strip() if match else "decide report"
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<meta name=\"generator\" content=\"decide\">\n"
            f"<title>{html.escape(_plain(title))}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
            f"{body}</main>\n<script>{_SCRIPT}</script>\n</body>\n</html>\n")


def _plain(markdown_title: str) -> str:
    """A Markdown heading's text without its escapes and emphasis, for <title>."""
    text = re.sub(r"\\(.)", r"\1", markdown_title)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _data_uri(name: str, data: bytes) -> str:
    kind = "image/svg+xml" if name.lower().endswith(".svg") else "image/png"
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def html_from_report_dir(folder: str | Path, *, keep_markdown: bool = False) -> Path:
    """Turn a report directory's ``report.md`` and its charts into one ``report.html``.

    The charts and (unless ``keep_markdown``) ``report.md`` are removed, so the folder holds the
    one file that can be mailed or uploaded on its own. Used on the report's scratch directory
    before it is swapped into place (:mod:`decide.report.outdir`), so a reader never sees half of it.
    """
    folder = Path(folder)
    markdown_text = (folder / "report.md").read_text(encoding="utf-8")
    names = set(re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", markdown_text))
    images = {}
    for name in names:
        path = folder / name
        if "/" not in name and path.is_file() and path.suffix.lower() in (".png", ".svg"):
            images[name] = path.read_bytes()
    out = folder / REPORT_HTML
    out.write_text(render_html(markdown_text, images), encoding="utf-8")
    for name in images:
        (folder / name).unlink()
    if not keep_markdown:
        (folder / "report.md").unlink()
    return out
