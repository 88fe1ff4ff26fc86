"""The unit tests' markers, registered here too: `ansible-test units` runs pytest with its own ini file
(and --strict-markers), so pyproject.toml's marker list does not reach it."""

from __future__ import annotations


def pytest_configure(config):
    config.addinivalue_line("markers", "docker: needs a running Docker daemon and the local base image")
    config.addinivalue_line("markers", "slow: takes more than a few seconds")
