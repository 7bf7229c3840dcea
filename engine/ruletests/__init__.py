"""Rule tests: YAML unit tests beside the rules, run by ``clausewatch test`` and pytest.

``model`` holds the value types of a test file, ``load`` reads and checks test files
strictly, ``run`` evaluates each case and compares findings with the patterns, and
``pytest_plugin`` collects the same files as pytest items.
"""
