"""The validation record: one run's verdicts as HTML summary, Markdown daily report, JSON and
plots. Plain functions over a RunRecord; fixtures/report.py only gathers the record."""
