"""Load a case file in a child process, capped, and report what happened (the hostile suite's probe)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import decide

# Loads one file in a child process and prints what happened as JSON: the load's own time, the
# process's peak resident memory (imports included) and the problems. The address space is capped
# at what the imports took plus 1 GiB, so code that expands the bomb fails fast with MemoryError.
_CHILD = r"""
import json, resource, sys, time
from decide.load import load_case
from decide.errors import CaseError
if sys.platform.startswith("linux"):
    with open("/proc/self/status") as status:
        vm = next(int(line.split()[1]) for line in status if line.startswith("VmSize:")) * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = vm + 2**30 if hard == resource.RLIM_INFINITY else min(vm + 2**30, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
start = time.perf_counter()
try:
    load_case(sys.argv[1])
    outcome = {"problems": []}
except CaseError as exc:
    outcome = {"problems": [{"message": p.message, "line": p.line, "file": p.file, "path": p.path} for p in exc.problems]}
except MemoryError:
    outcome = {"error": "MemoryError"}
except RecursionError:
    outcome = {"error": "RecursionError"}
outcome["seconds"] = time.perf_counter() - start
if sys.platform.startswith("linux"):  # ru_maxrss would include the parent's, inherited at fork
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) * 1024
else:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
outcome["peak_mb"] = peak / 2**20
print(json.dumps(outcome))
"""


def load_in_child(path: Path, timeout: float = 120) -> dict:
    """Load ``path`` in a fresh interpreter (killed after ``timeout`` s); its problems, seconds and
    peak memory in MB, with the default limits."""
    env = dict(os.environ, PYTHONPATH=str(Path(decide.__file__).parent.parent))
    for variable in ("DECIDE_MAX_YAML_BYTES", "DECIDE_MAX_YAML_NODES", "DECIDE_MAX_YAML_ALIAS_NODES",
                     "DECIDE_MAX_YAML_DEPTH"):
        env.pop(variable, None)
    done = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True,
                          timeout=timeout, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    outcome = json.loads(done.stdout)
    assert "error" not in outcome, outcome
    return outcome
