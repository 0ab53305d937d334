"""The case workbook's layout: one sheet per part of a case, its columns, and what goes in them.

Both directions read this one table: :mod:`decide.workbook.write` lays a case (or a blank
template) out by it, :mod:`decide.workbook.cells` finds columns by their headers in it. Columns are
found by header, not position, so a user may reorder or hide them.

Cell kinds (how a cell's text maps to a case file's value):

``id``, ``text``
    One value; an ``id`` is stripped of surrounding spaces, ``text`` is kept as written.
``number``, ``bool``
    A number, or TRUE/FALSE (also yes/no).
``ids``
    Ids separated by commas (``phase_one, rebuild_army``).
``texts``
    Free-text items separated by semicolons (actors: ``ECOWAS; African Union``).
``numbers``
    Numbers separated by semicolons (a discrete outcome's ``values``).
``pairs``
    ``outcome: value`` pairs separated by semicolons (a value function: ``0: 0; 5: 0.7; 10: 1``).
``mapping``
    ``id: number`` pairs separated by semicolons (a soft requirement's consequence).
``matrix``
    Rows separated by semicolons, entries by commas (``1, 3; 0.333, 1``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Column", "Sheet", "SHEETS", "SHEET_BY_NAME", "CASE_FIELDS", "EVIDENCE", "HOW_TO_FILL", "LIST_ROWS"]

LIST_ROWS = 2000
"""Rows a data-validation list covers, in the template and in an exported case."""


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"
    help: str = ""
    choices: tuple[str, ...] = ()
    """A fixed list offered in the cell (data validation)."""
    source: str | None = None
    """Another sheet whose first column lists the values offered (data validation)."""
    width: int = 14


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]
    help: str
    required: bool = False

    def column(self, header: str) -> Column:
        return next(c for c in self.columns if c.header == header)


_BOOL = ("TRUE", "FALSE")
SCORE_KINDS = ("point", "triangular", "pert", "uniform", "truncnormal", "lognormal", "discrete")

EVIDENCE = (
    Column("section", "text", "A section heading of the source (sections sheet) the number comes from.",
           source="sections", width=22),
    Column("rationale", "text", "One line, in your own words, on why the number is what it is.", width=40),
    Column("assumption", "bool", "TRUE where the source says nothing and the number is your assumption.",
           choices=_BOOL, width=11),
)

CASE_FIELDS: tuple[tuple[str, str, str], ...] = (
    # (field, path in the case file, what)
    ("id", "id", "The case's id: a letter, then letters, digits, _ or -."),
    ("title", "title", "The case's title."),
    ("description", "description", "Free text: the decision problem in a few sentences."),
    ("criteria", "criteria", "A bundled criteria set's name (e.g. intervention) to use instead of the criteria "
                             "sheet; leave empty when the criteria sheet holds the value tree."),
    ("criteria_id", "criteria.id", "The id of the criteria set on the criteria sheet."),
    ("criteria_name", "criteria.name", "The name of the criteria set on the criteria sheet."),
    ("criteria_description", "criteria.description", "Free text about the criteria set."),
    ("default_profile", "weights.default", "The weight profile used when none is named (profiles sheet); "
                                           "the first profile if empty."),
    ("source_title", "source.title", "The title of the document the case encodes."),
    ("source_author", "source.author", ""),
    ("source_publisher", "source.publisher", ""),
    ("source_date", "source.date", "As text, e.g. October 2012."),
    ("source_description", "source.description", ""),
)

SHEETS: tuple[Sheet, ...] = (
    Sheet("case", (Column("field", "id", width=22), Column("value", "text", width=60),
                   Column("what", "text", width=70)),
          "One row per field of the case: fill the value column.", required=True),
    Sheet("sections", (Column("section", "text", "A section heading of the source, one per row.", width=40),),
          "The source's section headings: evidence cites them by name (offered in every section column)."),
    Sheet("criteria", (
        Column("id", "id", "The criterion's or group's id.", width=22),
        Column("name", "text", width=30),
        Column("parent", "id", "The group it belongs to (empty: top level). A row named as some row's parent "
                               "is a group and takes only id, name, parent, weight, description.",
               source="criteria", width=18),
        Column("weight", "number", "Relative to its siblings (default 1).", width=9),
        Column("direction", "id", "higher_is_better or lower_is_better.",
               choices=("higher_is_better", "lower_is_better"), width=17),
        Column("scale_low", "number", "The low end of the scale outcomes are measured on.", width=10),
        Column("scale_high", "number", "The high end of the scale.", width=10),
        Column("low_means", "text", "What an outcome at the low end looks like.", width=28),
        Column("high_means", "text", "What an outcome at the high end looks like.", width=28),
        Column("unit", "text", "The scale's unit (default: points).", width=10),
        Column("value_function", "pairs", "Optional piecewise-linear value function, 'outcome: value' pairs "
                                          "separated by semicolons, from scale_low to scale_high "
                                          "(e.g. 0: 0; 5: 0.7; 10: 1). Empty: linear.", width=22),
        Column("description", "text", width=40),
    ), "The value tree, one row per group or leaf criterion, parents before children."),
    Sheet("options", (
        Column("id", "id", width=22),
        Column("name", "text", width=36),
        Column("actors", "texts", "Who acts, separated by semicolons.", width=30),
        Column("baseline", "bool", "TRUE for the status quo (at most one option).", choices=_BOOL, width=9),
        Column("depends_on", "ids", "Options that must be pursued too, separated by commas.", width=22),
        Column("excludes", "ids", "Options that cannot be pursued with this one, separated by commas.", width=18),
        Column("description", "text", width=50),
    ), "The courses of action, one per row.", required=True),
    Sheet("scores", (
        Column("option", "id", source="options", width=22),
        Column("outcome", "id", "planned: if the option goes ahead and its preconditions hold; failure: the "
                                "outcome of trying and failing.", choices=("planned", "failure"), width=9),
        Column("stage", "id", "For the failure outcome of an option with stages: the stage that failed "
                              "(stages sheet).", width=12),
        Column("criterion", "id", "A leaf criterion's id.", source="criteria", width=20),
        Column("kind", "id", "point (default), triangular, pert, uniform, truncnormal, lognormal or discrete.",
               choices=SCORE_KINDS, width=11),
        Column("value", "number", "point: the outcome.", width=8),
        Column("low", "number", "triangular, pert, uniform, truncnormal, lognormal: the low end.", width=7),
        Column("mode", "number", "triangular, pert: the most likely outcome.", width=7),
        Column("high", "number", "triangular, pert, uniform, truncnormal, lognormal: the high end.", width=7),
        Column("shape", "number", "pert: peakedness (default 4).", width=7),
        Column("mean", "number", "truncnormal: the mean before truncation.", width=7),
        Column("sd", "number", "truncnormal: the standard deviation before truncation.", width=7),
        Column("mu", "number", "lognormal: the mean of log(outcome).", width=7),
        Column("sigma", "number", "lognormal: the standard deviation of log(outcome).", width=7),
        Column("values", "numbers", "discrete: the outcomes, separated by semicolons.", width=10),
        Column("probabilities", "numbers", "discrete: their probabilities, separated by semicolons (sum 1).",
               width=12),
        *EVIDENCE,
    ), "Each option's outcome on each leaf criterion: planned (every leaf) and, optionally, on failure.",
        required=True),
    Sheet("preconditions", (
        Column("id", "id", width=22),
        Column("question", "text", "A yes/no question about the world.", width=50),
        Column("probability", "number", "The probability of yes, if known as one number; else low and high, "
                                        "or alpha and beta.", width=11),
        Column("low", "number", "An interval's low end (probability of yes).", width=7),
        Column("high", "number", "An interval's high end.", width=7),
        Column("alpha", "number", "A Beta distribution's alpha.", width=7),
        Column("beta", "number", "A Beta distribution's beta.", width=7),
        *EVIDENCE,
    ), "The yes/no questions options may require."),
    Sheet("requirements", (
        Column("option", "id", source="options", width=22),
        Column("precondition", "id", source="preconditions", width=22),
        Column("stage", "id", "For an option with stages: the stage whose hard requirement this is (stages "
                              "sheet). Empty: a requirement of the option itself.", width=12),
        Column("soft", "bool", "TRUE: a no degrades the option instead of failing it.", choices=_BOOL, width=7),
        Column("penalty", "number", "Soft: value lost overall (0 to 1) on a no.", width=8),
        Column("consequence", "mapping", "Soft: value lost on criteria, 'criterion: amount' separated by "
                                         "semicolons.", width=18),
        *EVIDENCE,
    ), "Which option requires which precondition (hard unless soft is TRUE)."),
    Sheet("stages", (
        Column("option", "id", source="options", width=22),
        Column("stage", "id", "The stage's id; stages are checked in row order.", width=14),
        Column("name", "text", width=30),
        *EVIDENCE,
    ), "Options whose hard requirements come in order: one row per stage, first stage first. Its "
       "requirements are on the requirements sheet, its failure outcomes on the scores sheet."),
    Sheet("uses", (
        Column("option", "id", source="options", width=22),
        Column("resource", "id", source="resources", width=18),
        Column("amount", "number", width=9),
    ), "How much of each resource an option uses."),
    Sheet("resources", (
        Column("id", "id", width=18),
        Column("name", "text", width=24),
        Column("unit", "text", width=12),
        Column("budget", "number", "Total available to a strategy; empty: unlimited.", width=9),
    ), "Money, troops, political capital, with budgets."),
    Sheet("enablers", (
        Column("option", "id", source="options", width=22),
        Column("precondition", "id", source="preconditions", width=22),
        Column("add", "number", "A change in probability (-1 to 1); or odds_ratio; or to.", width=7),
        Column("odds_ratio", "number", "Multiplies the odds of yes.", width=10),
        Column("to", "number", "Sets the probability.", width=7),
        *EVIDENCE,
    ), "Options that change the probability of a precondition (exactly one of add, odds_ratio, to)."),
    Sheet("correlations", (
        Column("precondition_a", "id", source="preconditions", width=22),
        Column("precondition_b", "id", source="preconditions", width=22),
        Column("rho", "number", "-1 to 1, on a Gaussian copula.", width=7),
        *EVIDENCE,
    ), "Correlations between preconditions' answers."),
    Sheet("common_mode", (
        Column("criteria", "ids", "Leaf criteria or groups, separated by commas.", width=24),
        Column("rho", "number", "Above 0, at most 1.", width=7),
        *EVIDENCE,
    ), "Criteria whose judgement errors every option shares."),
    Sheet("profiles", (
        Column("id", "id", width=16),
        Column("name", "text", width=22),
        Column("stakeholder", "text", width=24),
        Column("method", "id", "direct (default), swing or ahp.", choices=("direct", "swing", "ahp"), width=9),
        *EVIDENCE,
    ), "Stakeholders' weight profiles."),
    Sheet("weights", (
        Column("profile", "id", source="profiles", width=16),
        Column("node", "id", "A criterion or group.", source="criteria", width=22),
        Column("weight", "number", width=8),
        *EVIDENCE,
    ), "The weights of direct and swing profiles: one row per profile and criterion or group."),
    Sheet("comparisons", (
        Column("profile", "id", source="profiles", width=16),
        Column("parent", "id", "The group whose children are compared; root for the top level.", width=16),
        Column("order", "ids", "The children compared, separated by commas.", width=30),
        Column("matrix", "matrix", "Rows separated by semicolons, entries by commas (e.g. 1, 3; 0.333, 1).",
               width=30),
        *EVIDENCE,
    ), "AHP pairwise comparisons of an ahp profile, one row per group."),
    Sheet("imprecise", (
        Column("node", "id", "A node whose global weight lies in [low, high].", source="criteria", width=20),
        Column("low", "number", width=7),
        Column("high", "number", width=7),
        Column("greater", "id", "Or: a node whose weight is at least that of lesser.", source="criteria", width=20),
        Column("lesser", "id", source="criteria", width=20),
        *EVIDENCE,
    ), "Imprecise weight statements every party accepts: an interval (node, low, high) or an order "
       "(greater, lesser)."),
    Sheet("findings", (
        Column("id", "id", width=20),
        Column("statement", "text", width=60),
        *EVIDENCE,
    ), "The source's own conclusions, for the report to set beside the numbers."),
    Sheet("claims", (
        Column("finding", "id", source="findings", width=20),
        Column("better", "id", "An option that should beat 'than'.", source="options", width=22),
        Column("than", "id", source="options", width=22),
        Column("precondition_matters", "id", "Or: a question that should be among the three that matter most.",
               source="preconditions", width=22),
    ), "Checkable readings of each finding."),
    Sheet("strategies", (
        Column("id", "id", width=20),
        Column("name", "text", width=40),
        Column("options", "ids", "Option ids, separated by commas.", width=50),
        Column("description", "text", width=40),
    ), "Named combinations of options to compare in reports."),
)
SHEET_BY_NAME = {sheet.name: sheet for sheet in SHEETS}

HOW_TO_FILL = """\
How to fill this workbook
A case is one decision: options, the criteria they are judged on, each option's outcomes, the yes/no questions they depend on, and stakeholders' weights. docs/case-format.md explains every field; docs/workbook.md this workbook.
1. case: give the id and the title; the source's title if the case encodes a document.
2. sections: the source's section headings, one per row (evidence cites them).
3. criteria: the value tree. A group row has id and name; a leaf row also direction, scale_low, scale_high, low_means and high_means. parent names the group a row belongs to. Or name a bundled criteria set in case!criteria and leave this sheet empty.
4. options: one row per course of action; at most one baseline (the status quo).
5. scores: one planned row per option and leaf criterion (kind point: fill value; triangular or pert: low, mode, high; uniform: low, high; truncnormal: mean, sd, low, high; lognormal: mu, sigma, low, high; discrete: values and probabilities). Failure rows are optional: criteria not listed keep the status quo's outcome.
6. preconditions, requirements: the questions, and which option needs which (a no fails the option unless soft is TRUE). Options with ordered requirements list their stages on the stages sheet and give each requirement's stage.
7. Optional: enablers, correlations, common_mode, resources and uses, profiles and weights (or comparisons for AHP), imprecise, findings and claims, strategies.
Ids are a letter, then letters, digits, _ or -. Lists in a cell: ids separated by commas, text and numbers by semicolons. Columns may be reordered or hidden; rows may be left empty; a formula counts as its last computed value.
Then run: decide import THIS.xlsx -o CASE.yaml. Every problem is listed at once as sheet!CELL: message, and nothing is written until there are none.
"""
