"""The HTML report: one self-contained file (charts embedded, nothing fetched), checked in a real
browser (headless Chromium through Playwright) at a phone's width and a laptop's."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from decide.report.html import html_from_report_dir, render_html

from .browser import chromium_path

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "mali-2012"
CASE = Path(__file__).parents[1] / "data" / "minimal_case.yaml"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


def self_contained(page: str) -> None:
    sources = re.findall(r"<img[^>]+src=\"([^\"]+)\"", page)
    assert sources and all(s.startswith("data:image/") for s in sources)
    assert not re.findall(r"(?:src|href)=\"(?:https?:)?//", page)
    assert "<link" not in page and "@import" not in page and "url(" not in page


def test_render_embeds_images_and_links_nothing_outside():
    text = ("# A report\n\n| | |\n| --- | --- |\n| Seed | 1 |\n\n## Summary\n\nSee [the brief](https://example.org/b) "
            "and <script>alert(1)</script>.\n\n![Chart](chart.png)\n\n![Missing](gone.png)\n")
    page = render_html(text, {"chart.png": PNG})
    self_contained(page)
    assert page.count("<img") == 1 and "[Missing]" in page
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "(https://example.org/b)" in page and "href=\"https" not in page
    assert "<title>A report</title>" in page and 'class="table-wrap report-meta"' in page


@pytest.fixture(scope="module")
def mali_html(tmp_path_factory) -> Path:
    """The committed example report of the Mali case, as report.html."""
    folder = tmp_path_factory.mktemp("mali") / "report"
    shutil.copytree(EXAMPLE, folder)
    return html_from_report_dir(folder)


def test_a_report_folder_becomes_one_file(mali_html):
    assert sorted(p.name for p in mali_html.parent.iterdir() if p.name != ".decide-manifest.json") == ["report.html"]
    page = mali_html.read_text(encoding="utf-8")
    self_contained(page)
    assert page.count("<img") == len(list(EXAMPLE.glob("*.png")))
    for heading in re.findall(r"^## (.+)$", (EXAMPLE / "report.md").read_text(encoding="utf-8"), re.MULTILINE):
        assert f"<h2>{heading.replace('&', '&amp;')}" in page.replace("&#x27;", "'").replace("’", "’")


@pytest.fixture(scope="module")
def minimal_html(tmp_path_factory) -> Path:
    """A report written now by `decide report --html` (the minimal case, few draws)."""
    from click.testing import CliRunner

    from decide.cli import cli

    out = tmp_path_factory.mktemp("minimal") / "report"
    result = CliRunner().invoke(cli, ["report", str(CASE), "-n", "2000", "-q", "-o", str(out), "--html"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"Wrote {out / 'report.html'}" in result.output
    return out / "report.html"


def test_cli_writes_only_report_html(minimal_html):
    names = sorted(p.name for p in minimal_html.parent.iterdir())
    assert names == [".decide-manifest.json", "report.html"]
    self_contained(minimal_html.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- in a browser


def browser_or_skip() -> None:
    missing = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = "the playwright package is not installed (pip install '.[test]')"
    if missing is None and chromium_path() is None:
        missing = "no Chromium on this machine (apt-get install chromium; or set DECIDE_CHROMIUM)"
    if missing:
        # .ci/run sets DECIDE_REQUIRE_BROWSER once Chromium is on the machine: then a missing
        # piece is a failure; where the machine could not install it, the checks say so and skip.
        if os.environ.get("DECIDE_REQUIRE_BROWSER"):
            pytest.fail(f"browser checks cannot run although Chromium was installed: {missing}")
        pytest.skip(missing)


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("which", ["mali_html", "minimal_html"])
def test_report_reads_well_in_chromium(which, width, request, tmp_path):
    browser_or_skip()
    from .browser import check_page

    path = request.getfixturevalue(which)
    shot = Path(os.environ.get("DECIDE_SCREENSHOTS", tmp_path)) / f"{which}-{width}.png"
    check = check_page(path, width, height=800, screenshot=shot)
    assert check.console_errors == [] and check.page_errors == []
    assert check.requests == []  # nothing fetched from the network
    assert check.images and all(i["complete"] and i["width"] > 0 and i["height"] > 0 for i in check.images), check.images
    assert check.overflow["scrollWidth"] <= width, check.overflow
    assert check.overflow["overflowing"] == [], check.overflow["overflowing"][:5]
    assert check.summary is not None
    if width == 1280:  # the Summary's heading and its first lines open the first screen
        assert check.summary["bottom"] <= check.summary["viewport_height"], check.summary
        assert check.summary["next_top"] + 60 <= check.summary["viewport_height"], check.summary
    assert shot.stat().st_size > 0


def test_report_prints_to_pdf(mali_html, tmp_path):
    browser_or_skip()
    from .browser import check_page

    pdf = tmp_path / "report.pdf"
    check_page(mali_html, 1280, pdf=pdf)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page") > 5


def test_table_columns_sort_when_clicked(mali_html):
    browser_or_skip()
    from playwright.sync_api import sync_playwright

    from .browser import chromium_path

    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(mali_html.resolve().as_uri())
            # the "No to any" table of the Summary: P(blocked) in its second column, sorted descending
            table = page.locator("h2:has-text('Summary') ~ .table-wrap table").first
            header = table.locator("thead th").nth(1)
            column = "Array.from(t.tBodies[0].rows).map(r => parseFloat(r.cells[1].textContent))"
            before = table.evaluate(f"t => {column}")
            header.click()
            ascending = table.evaluate(f"t => {column}")
            header.click()
            descending = table.evaluate(f"t => {column}")
        finally:
            browser.close()
    assert errors == []
    assert len(before) >= 3 and ascending == sorted(before) and descending == sorted(before, reverse=True)
