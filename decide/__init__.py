"""decide: choose between interventions in a crisis.

Load a case, score it, simulate its uncertainty, and report::

    import decide
    case = decide.load_case("mali-2012")
    decide.score(case).to_frame()
"""

__version__ = "0.1.0"

from decide.errors import CaseError as CaseError
from decide.errors import DecideError as DecideError
from decide.errors import Problem as Problem
from decide.errors import SolverError as SolverError
from decide.load import load_case as load_case
from decide.load import parse_case as parse_case
from decide.score import score as score

__all__ = [
    "__version__",
    "CaseError",
    "DecideError",
    "Problem",
    "SolverError",
    "load_case",
    "parse_case",
    "score",
]
