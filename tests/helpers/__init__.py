"""Code the tests share that is not a pytest fixture: repository builders, the CLI runner, fuzzing inputs,
an editor client. Fixtures stay in tests/conftest.py; test modules import these as `helpers.<module>`."""
