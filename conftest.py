"""The project's root. burnin's pytest plugins load with the production suite
(tests_production/conftest.py), so `pytest -m checkpoint_6h` from here runs the checkpoint
suite and `pytest tests` the project's own tests, each with only its own plugins."""
