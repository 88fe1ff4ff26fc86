"""`cattle build` flags that end up as Ansible settings: -parallel-builds as Packer reads it."""

from __future__ import annotations

import pytest

from cattle_cli import flags
from cattle_cli.commands import build


@pytest.mark.parametrize("parallel, debug, builds, forks", [
    (0, False, 3, 5),     # no limit: every build at once (Ansible's own default of 5 as a floor)
    (-1, False, 8, 8),    # below 1 is no limit too, as in Packer (it printed Ansible's usage once)
    (-5, False, 2, 5),
    (1, False, 8, 1),     # one at a time
    (3, False, 8, 3),
    (10**12, False, 8, 8),  # a limit above the number of builds changes nothing
    (4, True, 8, 1),      # -debug runs builds one at a time
])
def test_forks(parallel, debug, builds, forks):
    assert build.ansible_forks(parallel, debug, builds) == forks


@pytest.mark.parametrize("argument, value", [("-parallel-builds=-1", -1), ("-parallel-builds", 2)])
def test_parallel_builds_reads_negative_numbers(argument, value):
    argv = [argument, "t.json"] if "=" in argument else [argument, str(value), "t.json"]
    parsed = flags.parse(argv, build.FLAGS)
    assert parsed.values["parallel-builds"] == value and parsed.args == ["t.json"]


@pytest.mark.parametrize("text, reason", [("abc", "expected a number"), ("9" * 30, "out of range"),
                                          ("9" * 5000, "expected a number")])
def test_parallel_builds_bad_values_name_the_flag(text, reason):
    with pytest.raises(flags.UsageError) as caught:
        flags.parse([f"-parallel-builds={text}", "t.json"], build.FLAGS)
    assert str(caught.value) == f'invalid value "{text}" for flag -parallel-builds: {reason}'
