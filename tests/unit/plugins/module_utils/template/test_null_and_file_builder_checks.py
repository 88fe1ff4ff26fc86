"""The null and file builders' Prepare checks, in Packer 1.6.6's words and order (compared with `packer validate`)."""

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


DOCS = ", please reference your communicator documentation"


@pytest.mark.parametrize(("builder", "expected"), [
    ({"type": "null"}, [
        'An ssh_username must be specified\n  Note: some builders used to default ssh_username to "root".',
        "a Host must be specified" + DOCS, "a Username must be specified" + DOCS,
        "one authentication method must be specified" + DOCS]),
    ({"type": "null", "ssh_host": "h", "ssh_username": "u"}, ["one authentication method must be specified" + DOCS]),
    ({"type": "null", "ssh_host": "h", "ssh_username": "u", "ssh_password": "p", "ssh_agent_auth": True},
     ["only one of ssh_agent_auth, ssh_password, and ssh_private_key_file must be specified"]),
    ({"type": "null", "communicator": "winrm", "winrm_username": "u"},
     ["a Host must be specified" + DOCS, "one authentication method must be specified" + DOCS]),
    ({"type": "null", "communicator": "winrm", "winrm_host": "h", "winrm_username": "u", "winrm_password": "p"}, []),
    ({"type": "null", "ssh_host": "h", "ssh_username": "u", "ssh_agent_auth": True}, []),
    ({"type": "null", "communicator": "none"}, []),
])
def test_null_builder_checks_as_packers(load, builder, expected):
    assert [d.message for d in diagnostics(load, builder) if d.severity == "error"] == expected
