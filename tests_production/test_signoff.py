"""The manual items of the final checklist, as the team recorded them."""

from burnin.catalogue import Judging
from burnin.verdict import Judge


def test_sign_off(criterion: Judging, judge: Judge) -> None:
    judge(criterion.verdict())
