"""Live-session GUI tests run their whole scenario as one coroutine on the `qloop` fixture
(tests/conftest.py) with `run_scenario` and `wait_until` from tests/stubs.py."""
