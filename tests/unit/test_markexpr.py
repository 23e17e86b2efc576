"""-m over the phase markers, decided before collection (burnin.markexpr), as pytest decides it
for a test carrying one phase marker."""

from __future__ import annotations

import pytest

from burnin.markexpr import ExpressionError, selects


@pytest.mark.parametrize(
    ("expression", "marker", "selected"),
    [
        ("checkpoint_6h", "checkpoint_6h", True),
        ("checkpoint_6h", "smoke", False),
        ("smoke or checkpoint_24h", "checkpoint_24h", True),
        ("not smoke", "checkpoint_12h", True),
        ("not smoke", "smoke", False),
        ("checkpoint_6h and not smoke", "checkpoint_6h", True),
        ("(smoke or checkpoint_6h) and not checkpoint_6h", "checkpoint_6h", False),
        ("not (smoke or checkpoint_6h)", "checkpoint_12h", True),
        ("sandbox", "checkpoint_6h", False),
    ],
)
def test_an_expression_selects_the_phases_pytest_would(expression, marker, selected):
    assert selects(expression, marker) is selected


@pytest.mark.parametrize("expression", ["", "smoke or", "(smoke", "smoke)", "and smoke", "smoke @"])
def test_a_malformed_expression_is_an_error(expression):
    with pytest.raises(ExpressionError):
        selects(expression, "smoke")
