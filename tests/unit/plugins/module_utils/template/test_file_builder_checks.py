"""The file builder's Prepare checks, in Packer 1.6.6's words (compared with `packer validate`)."""

from __future__ import annotations

import pytest

from ansible_collections.cattle.images.plugins.module_utils.template import TemplateErrors


def diagnostics(load, builder):
    try:
        template = load({"builders": [builder]})
    except TemplateErrors as exc:
        return exc.diagnostics
    return template.validate()


@pytest.mark.parametrize(("builder", "expected"), [
    ({"type": "file", "content": "x"}, [("error", "target required")]),
    ({"type": "file", "target": "t", "content": "x", "source": "t.json"},
     [("error", "Cannot specify source file AND content")]),
    ({"type": "file", "target": "t"},
     [("warning", "Both source file and contents are blank; target will have no content")]),
    ({"type": "file", "target": "t", "content": "x"}, []),
    ({"type": "file", "target": "t", "source": "t.json"}, []),
])
def test_file_builder_checks_as_packers(load, builder, expected):
    assert [(d.severity, d.message) for d in diagnostics(load, builder)] == expected
