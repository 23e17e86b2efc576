"""burnin: production burn-in validation."""

__version__ = "0.1.0"
