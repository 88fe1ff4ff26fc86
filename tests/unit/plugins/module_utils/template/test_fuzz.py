"""Fuzzing: no input may make the loader raise anything but TemplateErrors."""

from __future__ import annotations

import json
import os
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.cattle.images.plugins.module_utils.template import (
    TemplateErrors,
    load_template,
    render_runtime,
)

KEYS = ["variables", "builders", "provisioners", "post-processors", "sensitive-variables", "type", "name",
        "only", "except", "override", "pause_before", "max_retries", "timeout", "inline", "script", "image",
        "commit", "communicator", "keep_input_artifact", "min_packer_version", "_comment", "error-cleanup-provisioner",
        "docker", "null", "shell", "shell-local", "manifest", "file", "source", "destination", "ssh_username"]
TEMPLATE_BITS = ["{{", "}}", "{{-", "-}}", "user", "env", "`", '"', "\\", "|", "(", ")", ".Path", "build",
                 "isotime", "split", "replace", " ", "1", "-1", "if", "else", "end", "x", "/*", "*/", "$", "nil"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**12), st.floats(allow_nan=False),
                    st.sampled_from(KEYS), st.text(max_size=20),
                    st.lists(st.sampled_from(TEMPLATE_BITS), max_size=8).map("".join))
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), children, max_size=5),
    ),
    max_leaves=25,
)
template_strings = st.lists(st.one_of(st.sampled_from(TEMPLATE_BITS), st.text(max_size=4)), max_size=12).map("".join)

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _exercise(path, cwd):
    try:
        template = load_template(path, cwd=cwd)
    except TemplateErrors:
        return
    template.validate()
    template.inspect()
    try:
        json.dumps(template.plan(only=["null"]))
        json.dumps(template.plan())
    except TemplateErrors:
        pass


@FUZZ
@given(documents)
def test_random_json_documents(document):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "t.json")
        with open(path, "w") as handle:
            json.dump(document, handle)
        _exercise(path, tmp)


@FUZZ
@given(st.binary(max_size=200), st.sampled_from(["t.json", "t.yaml", "t"]))
def test_random_bytes(data, name):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, name)
        with open(path, "wb") as handle:
            handle.write(data)
        _exercise(path, tmp)


@FUZZ
@given(template_strings, template_strings)
def test_random_template_strings(first, second):
    document = {
        "variables": {"a": first, "b": "x"},
        "builders": [{"type": "null", "communicator": "none", "name": second}],
        "provisioners": [{"type": "shell-local", "inline": [first, second], "execute_command": [second],
                          "max_retries": first}],
        "post-processors": [{"type": "manifest", "output": second}],
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "t.json")
        with open(path, "w") as handle:
            json.dump(document, handle)
        _exercise(path, tmp)
    try:
        render_runtime(first, {"Path": "/p", "build": {"ID": "i"}})
    except TemplateErrors:
        pass
