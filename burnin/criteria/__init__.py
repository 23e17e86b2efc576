"""One module per criterion family: a `measure_*` step that asks a probe and returns typed
evidence, and a pure `judge_*` step that turns evidence and tiers into a Verdict."""
