"""The charts that explain the recommendation: risk profiles, contributions, the value tree."""

import numpy as np
import pandas as pd

from decide.report.build import complete_analyses, run_analyses
from decide.report.figures import figure_jobs
from decide.report.figures_explain import plot_contributions, plot_risk_profiles, plot_value_tree
from decide.report.markdown import render_markdown

EXPLAIN = {"risk_profiles": "risk_profiles.png", "contributions": "contributions.png", "value_tree": "value_tree.png"}


def test_report_draws_and_links_the_explaining_charts(mali, tmp_path):
    jobs = {job.key: job for job in figure_jobs(mali)}
    for key, filename in EXPLAIN.items():
        assert jobs[key].filename == filename
        jobs[key].draw(tmp_path / filename)
        assert (tmp_path / filename).stat().st_size > 10_000
    text = render_markdown(mali, {job.key: job.filename for job in jobs.values()})
    for filename in EXPLAIN.values():
        assert f"]({filename})" in text


def test_risk_profile_job_made_before_completion_draws_the_completed_strategy(tmp_path):
    early = run_analyses("mali-2012", n_draws=1000, complete=False)
    job = next(j for j in figure_jobs(early) if j.key == "risk_profiles")
    assert not job.background  # drawn by the parent, after the analyses are completed
    done = complete_analyses(early)
    assert early.completed() is done
    job.draw(tmp_path / "risk.png")
    assert (tmp_path / "risk.png").stat().st_size > 10_000


def test_charts_draw_case_text_literally(tmp_path):
    odd = ["Pay $5bn now", "or $10bn later", r"$\nosuchsymbol$"]
    p = np.linspace(0, 1, 11)
    q = pd.DataFrame([np.linspace(0.3, 0.6, 11), np.linspace(0.4, 0.5, 11), np.linspace(0.2, 0.7, 11)],
                     index=odd, columns=p)
    plot_risk_profiles(q, q.mean(axis=1), tmp_path / "r.png", n_scenarios=10)
    c = pd.DataFrame([[0.1, 0.2], [0.2, 0.1]], index=odd[:2], columns=odd[1:])
    plot_contributions(c, {odd[1]: "g", odd[2]: "g"}, c.sum(axis=1), tmp_path / "c.png",
                       penalties=pd.Series([0.0, 0.01], index=odd[:2]))
    plot_value_tree([(0, odd[0], 1.0, True), (1, odd[2], 0.5, False), (1, odd[1], 0.5, False)],
                    tmp_path / "t.png", profile="$p$")
    for name in ("r.png", "c.png", "t.png"):
        assert (tmp_path / name).stat().st_size > 5_000
