"""The pytest plugin entry (``-p engine.pytest_plugin``): rule tests collected by pytest.

The plugin itself lives in ``engine.ruletests.pytest_plugin``; this module keeps the
entry point's name stable for projects that load it.
"""

from engine.ruletests.pytest_plugin import (
    RuleTestFile,
    RuleTestItem,
    pytest_addoption,
    pytest_collect_file,
)

__all__ = ["RuleTestFile", "RuleTestItem", "pytest_addoption", "pytest_collect_file"]
