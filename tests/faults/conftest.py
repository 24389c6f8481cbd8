"""Fixtures for fault tests: the whole platform on free ports, with chosen processes left to
the test so it can kill and restart them."""
import pytest

from infra.local.runner import RunningStack


@pytest.fixture
def start_platform(tmp_path, amqp_url):
    stacks = []

    def start(without: str = "", **env) -> RunningStack:
        stack = RunningStack(tmp_path / "var", amqp_url,
                             extra_env={"DEVSTACK_WITHOUT": without, "LOG_LEVEL": "WARNING",
                                        # faults, not limits, are under test here
                                        "RATE_LIMIT_USER": "100000/minute",
                                        "RATE_LIMIT_ANONYMOUS": "100000/minute", **env})
        stacks.append(stack)
        return stack.start()

    yield start
    for stack in stacks:
        stack.stop()

