"""Probes ask one source and return typed evidence. They never assert."""
