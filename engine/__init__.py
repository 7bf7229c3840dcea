"""ClauseWatch: contract obligations as YAML rules, checked against dated facts."""

__version__ = "0.1.0"
