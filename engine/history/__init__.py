"""History: the nightly run history, so each night says what is new.

``compare`` marks findings new or known against the last run and lists what was
resolved (pure, no database), ``store`` keeps runs in SQLite (one locked transaction
per run), and ``report`` prints the marks beside the findings.
"""
