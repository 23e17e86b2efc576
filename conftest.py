"""burnin's pytest glue: one plugin module per data source, all logic in the `burnin` package."""

pytest_plugins = [
    "fixtures.config",
    "fixtures.prometheus",
    "fixtures.ssh",
    "fixtures.gather",
    "fixtures.health",
    "fixtures.verdicts",
    "fixtures.report",
    "fixtures.history",
    "fixtures.workers",
]
