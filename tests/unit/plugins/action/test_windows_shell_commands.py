"""The windows-shell provisioner's environment prefix (pure function)."""

from __future__ import annotations

from ansible_collections.cattle.images.plugins.action.windows_shell import (
    DEFAULT_ENV_VAR_FORMAT,
    flatten_cmd_env,
)


def test_cmd_env_prefix_sorted_like_go():
    text = flatten_cmd_env([("B", "two words")], {"PACKER_BUILD_NAME": "n", "PACKER_BUILDER_TYPE": "t"})
    # Go's byte order: "PACKER_BUILDER_TYPE" < "PACKER_BUILD_NAME" ('E' < '_')
    assert text == 'set "B=two words" && set "PACKER_BUILDER_TYPE=t" && set "PACKER_BUILD_NAME=n" && '
    assert flatten_cmd_env([], {}, DEFAULT_ENV_VAR_FORMAT) == ""
