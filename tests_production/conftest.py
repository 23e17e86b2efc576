"""burnin's pytest glue, loaded with the production suite (so a run of the project's own tests,
`pytest tests`, never reads the production configuration): one plugin module per concern, all
state in one session object (fixtures/session.py), all logic in the `burnin` package. Each test
below judges one criterion of the registry (burnin/catalogue.py)."""

pytest_plugins = [
    "fixtures.config",
    "fixtures.sources",
    "fixtures.gather",
    "fixtures.verdicts",
    "fixtures.report",
    "fixtures.history",
    "fixtures.workers",
]
