"""Case text is data, never markup: the report's Markdown and its charts show it literally.

A case whose names, questions, evidence and profiles carry HTML, script, ``javascript:`` links,
table pipes, newlines and matplotlib mathtext is reported; the Markdown is rendered the way
GitHub-like renderers do (CommonMark with tables, raw HTML allowed) and the HTML must hold no
live tag, handler or link of the case's making, every table its columns, and every charted string
must be drawn as written.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from decide.cli import cli
from decide.tables import escape_markdown, markdown_table, one_line, text_table

CASE = Path(__file__).resolve().parents[1] / "data" / "minimal_case.yaml"

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
LINK = "[click](javascript:alert(1))"
MONEY = "Pay $5bn now or $10bn later"
MATH = r"$\nosuchsymbol$"

OPTION = f"{MONEY} {SCRIPT} | then\nsecond line"
OTHER_OPTION = f"{IMG} mediation {MATH}"
CRITERION = f"{MATH} cost | *bold* _em_ {LINK}"
LEAF = f"{LINK} groups {IMG}"
QUESTION = f"Will {LINK} work? {SCRIPT} |\nsecond line"
RATIONALE = f"{IMG} | `code` ![img](javascript:alert(1))\nnext line"
PROFILE = f"Hawk {MATH} {SCRIPT}"
TITLE = f"# Hostile {SCRIPT} {MONEY}"
STATEMENT = f"- not a list {SCRIPT} {LINK}\n# not a heading"
STRATEGY = f"Both {MONEY} <b>bold</b> | x"


def hostile_case(path: Path) -> Path:
    """The minimal case with hostile text in every kind of field a report shows."""
    case = yaml.safe_load(CASE.read_text())
    case["title"] = TITLE
    case["source"]["title"] = LINK
    case["source"]["author"] = SCRIPT
    options = {o["id"]: o for o in case["options"]}
    options["intervene"]["name"] = OPTION
    options["mediate"]["name"] = OTHER_OPTION
    options["wait"]["scores"]["armed_groups"]["evidence"] = {"section": "Summary", "rationale": RATIONALE,
                                                             "assumption": True}
    options["wait"]["scores"]["territory"] = {"value": 2, "evidence": {"section": "Summary", "rationale": SCRIPT}}
    security, cost = case["criteria"]["criteria"]
    cost["name"] = CRITERION
    security["children"][0]["name"] = LEAF
    case["preconditions"][0]["question"] = QUESTION
    case["preconditions"][0]["evidence"] = {"section": "Options", "rationale": LINK}
    case["weights"]["profiles"][1]["name"] = PROFILE
    case["findings"] = [{"id": "f1", "statement": STATEMENT, "claims": [{"better": "intervene", "than": "wait"},
                                                                       {"precondition_matters": "backing"}]}]
    case["strategies"] = [{"id": "both", "name": STRATEGY, "options": ["intervene", "mediate"]}]
    path.write_text(yaml.safe_dump(case, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def render_html(markdown_text: str) -> str:
    """HTML as a GitHub-like renderer makes it: CommonMark, tables, strikethrough, raw HTML on."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(markdown_text)


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text of every table cell."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.cells: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.cells.append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def parse_html(text: str) -> _Tags:
    parser = _Tags()
    parser.feed(text)
    parser.close()
    return parser


def assert_no_live_markup(rendered: str) -> None:
    """No script, no event handler, no ``javascript:`` target, no tag the report does not write."""
    assert "<script" not in rendered.lower()
    assert 'href="javascript:' not in rendered.lower()
    for tag, attrs in parse_html(rendered).tags:
        assert tag in {"h1", "h2", "h3", "p", "strong", "em", "code", "blockquote", "ul", "li", "img", "table",
                       "thead", "tbody", "tr", "th", "td"}, tag
        assert not [name for name in attrs if name.lower().startswith("on")], (tag, attrs)
        for name in ("href", "src"):
            assert not (attrs.get(name) or "").strip().lower().startswith("javascript:"), (tag, attrs)
        if tag == "img":  # only the report's own charts
            assert re.fullmatch(r"[a-z_]+\.png", attrs["src"]), attrs


def split_row(line: str) -> list[str]:
    """The cells of a Markdown table row, splitting on unescaped pipes only."""
    cells, cell, chars = [], [], iter(line.strip().removeprefix("|").removesuffix("|"))
    for char in chars:
        if char == "\\":
            cell += [char, next(chars, "")]
        elif char == "|":
            cells.append("".join(cell))
            cell = []
        else:
            cell.append(char)
    return [*cells, "".join(cell)]


def tables_of(markdown_text: str) -> list[list[str]]:
    """Each table's lines; a table is a header row followed by a delimiter row."""
    lines = markdown_text.splitlines()
    tables, k = [], 0
    while k < len(lines) - 1:
        if lines[k].startswith("|") and re.fullmatch(r"\|( *:?-+:? *\|)+", lines[k + 1].replace(" ", "")):
            end = k + 2
            while end < len(lines) and lines[end].startswith("|"):
                end += 1
            tables.append(lines[k:end])
            assert end == len(lines) or lines[end] == "", f"a table row runs on: {lines[end]!r}"
            k = end
        else:
            k += 1
    return tables


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("hostile")
    case = hostile_case(folder / "hostile.yaml")
    out = folder / "report"
    result = CliRunner().invoke(cli, ["report", str(case), "-o", str(out), "-n", "2000", "--seed", "3", "-q"])
    assert result.exit_code == 0, result.output
    return out, (out / "report.md").read_text(encoding="utf-8")


def test_rendered_report_has_no_live_html_script_or_link(hostile_report):
    _, text = hostile_report
    assert SCRIPT not in text and IMG not in text and LINK not in text
    assert_no_live_markup(render_html(text))


def test_every_table_keeps_its_columns(hostile_report):
    _, text = hostile_report
    tables = tables_of(text)
    assert len(tables) > 10
    for table in tables:
        widths = {len(split_row(line)) for line in table}
        assert len(widths) == 1, table


def test_case_text_reads_literally_once_rendered(hostile_report):
    _, text = hostile_report
    rendered = render_html(text)
    visible = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    for raw in (OPTION, OTHER_OPTION, CRITERION, QUESTION, PROFILE, STATEMENT, LINK):
        assert one_line(raw) in visible, raw
    assert f"Source: {LINK} ({SCRIPT})." in visible
    assert one_line(TITLE) + ": decision report" in visible
    cells = parse_html(rendered).cells
    assert one_line(OPTION) in cells and one_line(STRATEGY) in cells
    assert f"{one_line(RATIONALE)} (assumption)" in cells  # the report's own emphasis still works
    assert "<em>(assumption)</em>" in rendered


def test_every_chart_draws_case_text_as_written(tmp_path, monkeypatch):
    """Every text a chart draws is plain (no mathtext), and the case's dollars come out as dollars."""
    from matplotlib.figure import Figure

    from decide.report.build import run_analyses
    from decide.report.figures import draw_figures

    drawn: list[Figure] = []
    save = Figure.savefig

    def keep(self, *args, **kwargs):
        drawn.append(self)
        return save(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", keep)
    analyses = run_analyses(hostile_case(tmp_path / "hostile.yaml"), n_draws=2000, seed=3, complete=False)
    figures = draw_figures(analyses, tmp_path)
    assert len(drawn) == len(figures) >= 6
    shown = []
    for figure in drawn:
        for text in figure.findobj(lambda artist: hasattr(artist, "_preprocess_math")):
            string, is_math = text._preprocess_math(text.get_text())
            assert not is_math, text.get_text()
            shown.append(string)
    everything = "\n".join(shown)
    assert one_line(OPTION) in everything and one_line(PROFILE) in everything
    assert MATH in everything and one_line(CRITERION) in everything


# --------------------------------------------------------------------------- the helpers


@pytest.mark.parametrize("raw, escaped", [
    ("Humanitarian and economic aid (US and EU), Mali's north - 5.5 bn.", None),  # prose stays as it is
    ("algeria_beyond_nonintervention", None),  # so do ids: an underscore inside a word is inert
    ("R&D", None),
    ("correlation a ~ b, 2 * 3", None),  # a lone * or ~ between spaces is inert
    ("x*y*z 5~6~7", r"x\*y\*z 5\~6\~7"),
    ("a < b > c", "a &lt; b &gt; c"),
    ("&amp; and &#60;", "&amp;amp; and &amp;#60;"),
    (LINK, r"\[click\](javascript:alert(1))"),
    ("a | b", r"a \| b"),
    ("*bold* _em_ __strong__ `code` ~~gone~~", r"\*bold\* \_em\_ \_\_strong\_\_ \`code\` \~\~gone\~\~"),
    ("back\\slash", "back\\\\slash"),
    (MONEY, r"Pay \$5bn now or \$10bn later"),
    ("one\ntwo\r\nthree\u2028four \x1b[31m", r"one two three four \[31m"),
    ("# not a heading", r"\# not a heading"),
    ("- not an item", r"\- not an item"),
    ("+ not an item", r"\+ not an item"),
    ("1. not an item", r"1\. not an item"),
    ("---", r"\---"),
    ("#1 priority", None),
    ("-5% scenario", None),
])
def test_escape_markdown(raw, escaped):
    assert escape_markdown(raw) == (raw if escaped is None else escaped)


HOSTILE = [SCRIPT, IMG, LINK, MONEY, MATH, OPTION, CRITERION, QUESTION, RATIONALE, STATEMENT, "a_b _c_ d_",
           "<https://x.y>", "&copy; &#x41; &nosuch;", "[a]: /url", "![i](x.png)", "\\*", "x\\", "``", "1) x",
           "> quote", "    indented", "<!-- comment -->", "~~~", "***", "___", "| a | b |", "<div>x</div>",
           "a ~ b ~~ c * d ** e _ f", "x*y*z"]
# Pieces of Markdown syntax, for the property below to combine.
PIECES = st.lists(st.sampled_from([*"ab1 _*~`[]()!<>&#;|\\$-+.=:\n\té", "&amp;", "&#60;", "javascript:", "<script>",
                                   "1.", "---", "http://x.y"]), min_size=1, max_size=14).map("".join)


def assert_renders_as_itself(raw: str) -> None:
    """``escape_markdown(raw)`` shows ``raw`` (on one line) in a paragraph, after other text, in a
    list item, in bold and in a table cell, and creates no markup of its own."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    text, escaped = one_line(raw), escape_markdown(raw)
    if not text:
        return
    for source, pattern, shown in [
        (escaped, "<p>(.*)</p>", text), (f"x {escaped} y", "<p>(.*)</p>", f"x {text} y"),
        (f"- {escaped}", "<ul>\n<li>(.*)</li>\n</ul>", text), (f"**{escaped}**", "<p><strong>(.*)</strong></p>", text),
        (f"| h |\n| --- |\n| {escaped} |", "<table>.*<td>(.*)</td>.*</table>", text),
    ]:
        rendered = md.render(source)
        assert_no_live_markup(rendered)
        inner = re.fullmatch(pattern + "\n", rendered, re.S)
        assert inner and "<" not in inner[1] and html.unescape(inner[1]) == shown, (source, rendered)


@pytest.mark.parametrize("raw", HOSTILE)
def test_escaped_text_renders_as_itself(raw):
    assert_renders_as_itself(raw)


@settings(max_examples=300, deadline=None)
@given(PIECES)
def test_any_text_renders_as_itself(raw):
    assert_renders_as_itself(raw)


def test_markdown_table_escapes_text_but_not_numbers_or_markdown_columns():
    import pandas as pd

    frame = pd.DataFrame({"name": [OPTION, "plain"], "value": [-0.5, float("nan")],
                          "note": ["*(kept)*", "`code`"], "label": ["a|b", "-"]},
                         index=pd.Index(["x_1", "y"], name="id"))
    lines = markdown_table(frame, markdown=["note"]).splitlines()
    assert lines[0] == "| id | name | value | note | label |"
    assert lines[2] == f"| x_1 | {escape_markdown(OPTION)} | -0.500 | *(kept)* | a\\|b |"
    assert lines[3] == r"| y | plain | - | `code` | \- |"
    assert len(text_table(frame).splitlines()) == 4  # one line a row on the terminal too


def test_literal_text_shows_dollars_and_never_parses_mathtext(tmp_path):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from decide.report.figures import literal_text

    assert literal_text(MONEY) == r"Pay \$5bn now or \$10bn later"
    assert literal_text("a\nb") == "a b"
    figure = Figure()
    ax = figure.add_subplot()
    for raw in (MONEY, MATH, r"already \$ escaped", "$$", "$x^2$ and $"):
        label = ax.set_title(literal_text(raw))
        assert label._preprocess_math(label.get_text()) == (raw, False)
    ax.set_yticks([0, 1], [literal_text(MATH), literal_text(MONEY)])
    FigureCanvasAgg(figure).print_png(tmp_path / "plain.png")  # an unknown TeX command drawn, not parsed
