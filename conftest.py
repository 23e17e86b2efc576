"""burnin's pytest glue: one plugin module per data source, all logic in the `burnin` package."""

pytest_plugins = [
    "fixtures.config",
    "fixtures.health",
    "fixtures.prometheus",
    "fixtures.ssh",
    "fixtures.gather",
    "fixtures.verdicts",
    "fixtures.report",
    "fixtures.history",
]
