"""The manual items of the final checklist, as the team recorded them."""

from burnin.criteria.signoff import judge_signoff, read_signoff
from burnin.run import RunSettings
from burnin.verdict import Judge


def test_sign_off(burnin_run: RunSettings, judge: Judge, phase: str) -> None:
    path = burnin_run.target.path("signoff_file")
    records, problem = read_signoff(path)
    judge(judge_signoff(records, problem, path))
