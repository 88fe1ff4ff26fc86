from __future__ import annotations

import pytest

from ansible_collections.cattle.images.plugins.action.post_processors import keep_input


@pytest.mark.parametrize(
    "user, default, force, expected",
    [
        (None, False, False, False),  # the post-processor's own default
        (None, True, False, True),
        (True, False, False, True),  # the user's choice wins...
        (False, True, False, False),
        (False, True, True, True),  # ...unless the post-processor forces keeping its input
        (True, True, True, True),
    ],
)
def test_keep_input_follows_packer(user, default, force, expected):
    assert keep_input({"keep_input_artifact": user}, default, force) is expected
