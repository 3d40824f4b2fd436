# The suite's fixtures and `scenario` parametrization, loaded as `airbyte-cdk connector test` does.
pytest_plugins = ["airbyte_cdk.test.standard_tests.pytest_hooks"]
