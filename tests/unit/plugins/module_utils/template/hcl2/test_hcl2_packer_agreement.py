"""HCL2 reader fixes found by the corpus (tests/compat/hcl2): each gives Packer's verdict on a small template."""

from __future__ import annotations

import json

import pytest

from ansible_collections.cattle.images.plugins.module_utils.template import TemplateErrors, load_template
from ansible_collections.cattle.images.plugins.module_utils.template.hcl2.builds import source_key
from ansible_collections.cattle.images.plugins.module_utils.template.runtime import render_runtime

NULL_SOURCES = 'source "null" "one" {\n  communicator = "none"\n}\nsource "null" "two" {\n  communicator = "none"\n}\n'


@pytest.fixture
def load(tmp_path):
    def _load(text, name="t.pkr.hcl", **kwargs):
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        kwargs.setdefault("cwd", str(tmp_path))
        kwargs.setdefault("env", {})
        return load_template(name, **kwargs)
    return _load


def errors_of(excinfo):
    return [str(d) for d in excinfo.value.diagnostics if d.severity == "error"]


def steps(template):
    """Per build: its name and its shell-local provisioners' inline lists."""
    return [(b["name"], [p["config"]["inline"] for p in b["provisioners"]]) for b in template.plan()["builds"]]


@pytest.mark.parametrize("ref, key", [
    ("source.null.one", "null.one"), ("sources.null.one", "null.one"), ("null.one", "null.one"),
    ("a.b.null.one", "b.null"),  # Packer drops the first part and reads the next two
    ("one", None), ("source.null.1x", None), ("", None),
])
def test_source_references_are_read_as_packer_reads_them(ref, key):
    assert source_key(ref) == key


def test_sources_plural_prefix_names_the_source(load):
    template = load(NULL_SOURCES + 'build {\n  sources = ["sources.null.one", "null.two"]\n}\n')
    assert [b["name"] for b in template.plan()["builds"]] == ["null.one", "null.two"]


def test_invalid_source_reference_is_an_error(load):
    with pytest.raises(TemplateErrors) as caught:
        load(NULL_SOURCES + 'build {\n  sources = ["one"]\n}\n')
    assert len(errors_of(caught)) == 1 and "Invalid source reference" in errors_of(caught)[0]


def test_dynamic_source_and_provisioner_blocks_in_a_build(load):
    template = load(NULL_SOURCES + 'locals {\n  names = ["a", "b"]\n  files = {x = "1", y = "2"}\n}\n'
                    'build {\n'
                    '  dynamic "source" {\n    for_each = local.names\n    labels = ["null.one"]\n'
                    '    content {\n      name = "n-${source.value}"\n    }\n  }\n'
                    '  dynamic "provisioner" {\n    for_each = local.files\n    labels = ["shell-local"]\n'
                    '    content {\n      inline = ["${source.name}:${provisioner.key}=${provisioner.value}"]\n    }\n  }\n'
                    '  provisioner "shell-local" {\n    inline = ["last"]\n  }\n'
                    '}\n')
    assert steps(template) == [("null.n-a", [["n-a:x=1"], ["n-a:y=2"], ["last"]]),
                               ("null.n-b", [["n-b:x=1"], ["n-b:y=2"], ["last"]])]


def test_dynamic_block_of_an_unknown_kind_in_a_build_is_refused(load):
    with pytest.raises(TemplateErrors) as caught:
        load(NULL_SOURCES + 'build {\n  sources = ["source.null.one"]\n'
             '  dynamic "potato" {\n    for_each = []\n    content {}\n  }\n}\n')
    assert errors_of(caught) == ['t.pkr.hcl:9:3: Unsupported block type; Blocks of type "dynamic "potato"" are not '
                                 'expected here.']


def test_dynamic_provisioner_of_an_unknown_type_is_refused_once(load):
    with pytest.raises(TemplateErrors) as caught:
        load(NULL_SOURCES + 'build {\n  sources = ["source.null.one", "source.null.two"]\n'
             '  dynamic "provisioner" {\n    for_each = [1]\n    labels = ["potato"]\n    content {}\n  }\n}\n')
    assert len([e for e in errors_of(caught) if 'Unknown provisioner type "potato"' in e]) == 1


def test_required_version_is_checked_before_anything_else(load):
    with pytest.raises(TemplateErrors) as caught:
        load('packer {\n  required_version = ">= 700000.0.0"\n}\nfuture_block {\n}\n')
    errors = errors_of(caught)
    assert len(errors) == 1 and errors[0].startswith("t.pkr.hcl:2:3: Unsupported Packer Core version")


VALIDATED = ('variable "image_id" {\n  type = string\n  default = "potato"\n  validation {\n'
             '    condition = substr(var.image_id, 0, 4) == "ami-"\n    error_message = "Not an AMI id."\n  }\n}\n'
             + NULL_SOURCES + 'build {\n  sources = ["source.null.one"]\n}\n')


def test_failed_validation_is_reported_where_the_value_was_written(load, tmp_path):
    with pytest.raises(TemplateErrors) as caught:
        load(VALIDATED)
    assert errors_of(caught)[0].startswith("t.pkr.hcl:3:13: Invalid value for default variable; Not an AMI id.")
    (tmp_path / "v.pkrvars.hcl").write_text('\nimage_id = "tomato"\n')
    with pytest.raises(TemplateErrors) as caught:
        load(VALIDATED, var_files=[str(tmp_path / "v.pkrvars.hcl")])
    assert "v.pkrvars.hcl:2:12: Invalid value for file variable" in errors_of(caught)[0]
    with pytest.raises(TemplateErrors) as caught:  # from -var there is no expression: the rule's place
        load(VALIDATED, variables={"image_id": "x"})
    assert errors_of(caught)[0].startswith("t.pkr.hcl:4:3: Invalid value for cli variable")


@pytest.mark.parametrize("name, root", [("t.pkr.hcl", "."), ("sub/t.pkr.hcl", "sub")])
def test_path_root_is_the_directory_as_given(load, name, root):
    template = load(NULL_SOURCES + 'build {\n  sources = ["source.null.one"]\n'
                    '  provisioner "shell-local" {\n    inline = [path.root]\n  }\n}\n', name=name)
    assert steps(template) == [("null.one", [[root]])]


def test_upper_and_lower_of_build_values_wait_for_the_build(load):
    template = load(NULL_SOURCES + 'build {\n  sources = ["source.null.one"]\n'
                    '  provisioner "shell-local" {\n    inline = [upper("x-${build.ID}"), lower("Y${build.ID}")]\n'
                    '  }\n}\n')
    (_name, [inline]), = steps(template)
    assert [render_runtime(text, {"build": {"ID": "Null"}}) for text in inline] == ["X-NULL", "ynull"]


def test_builder_checks_are_reported_at_the_source_block(load):
    template = load('source "qemu" "q" {\n  iso_url = "x.iso"\n  iso_checksum = "none"\n  ssh_username = "u"\n'
                    '  cd_files = ["missing.yaml"]\n}\nbuild {\n  sources = ["source.qemu.q"]\n}\n')
    errors = [str(d) for d in template.validate() if d.severity == "error"]
    assert any(e.startswith("t.pkr.hcl:1:1: source.qemu.q.cd_files: Bad CD disk file") for e in errors), errors


def test_json_syntax_reads_a_repeated_key_as_more_blocks(load):
    text = ('{\n"source": {"null": {"one": {"communicator": "none"}}, "null": {"two": {"communicator": "none"}}},\n'
            '"build": {"sources": ["source.null.one", "source.null.two"]}\n}\n')
    assert [b["name"] for b in load(text, name="t.pkr.json").plan()["builds"]] == ["null.one", "null.two"]


def test_json_syntax_refuses_a_repeated_argument(load):
    text = '{\n"build": {"name": "a",\n "name": "b", "sources": []}\n}\n'
    with pytest.raises(TemplateErrors) as caught:
        load(text, name="t.pkr.json")
    assert errors_of(caught)[0].startswith('t.pkr.json:3:2: Duplicate argument; The argument "name"')
    assert json.loads(text)  # plain JSON is fine with it: the refusal is HCL's


def test_unknown_source_is_named_type_dot_name_at_the_build_block(load):
    with pytest.raises(TemplateErrors) as caught:
        load(NULL_SOURCES + '\nbuild {\n  sources = ["sources.null.three"]\n}\n')
    assert errors_of(caught) == ["t.pkr.hcl:8:1: Unknown source null.three; Known: null.one, null.two"]


def test_inspect_lists_sources_by_type_dot_name(load):
    text = load(NULL_SOURCES + 'build {\n  sources = ["sources.null.one"]\n  source "null.two" {\n  }\n}\n').inspect()["text"]
    assert "      null.one\n" in text and "      null.two\n" in text and "sources.null" not in text


def test_dynamic_post_processor_in_a_chain(load):
    template = load(NULL_SOURCES + 'build {\n  sources = ["source.null.one"]\n  post-processors {\n'
                    '    dynamic "post-processor" {\n      for_each = ["a", "b"]\n      labels = ["shell-local"]\n'
                    '      content {\n        inline = [post-processor.value]\n      }\n    }\n  }\n}\n')
    chains = template.plan()["builds"][0]["post_processors"]
    assert [[pp["config"]["inline"] for pp in chain] for chain in chains] == [[["a"], ["b"]]]


def test_syntax_only_refuses_a_bad_packer_block_and_accepts_a_duplicate_source(load):
    with pytest.raises(TemplateErrors) as caught:
        load('packer {\n  version = ">= 1.0"\n}\n', strict=False)
    assert errors_of(caught) == ['t.pkr.hcl:2:3: Unsupported argument; An argument named "version" is not expected here.']
    duplicate = NULL_SOURCES + 'source "null" "one" {\n}\nbuild {\n  sources = []\n}\n'
    load(duplicate, strict=False)  # Packer's -syntax-only passes it; validate does not
    with pytest.raises(TemplateErrors) as caught:
        load(duplicate)
    assert [e.split(";")[0] for e in errors_of(caught)] == ["t.pkr.hcl:7:1: Duplicate source block"]
