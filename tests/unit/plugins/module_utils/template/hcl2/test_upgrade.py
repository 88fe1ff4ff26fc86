"""hcl2_upgrade: Packer's own output (1.6.6 on corpus templates, 1.16.0's fixtures), and each translation rule."""

from __future__ import annotations

import json
import os

import pytest
from packer_compare import differences

from ansible_collections.cattle.images.plugins.module_utils.template import TemplateErrors
from ansible_collections.cattle.images.plugins.module_utils.template.hcl2.upgrade import go_duration, upgrade_text

CASES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "upgrade_cases")
PACKER_CASES = sorted(name[:-len(".pkr.hcl")] for name in os.listdir(CASES) if name.endswith(".json.pkr.hcl"))


def up(template: dict) -> str:
    return upgrade_text(json.dumps(template), "t.json")


@pytest.mark.parametrize("name", PACKER_CASES)
def test_agrees_with_packer(name):
    with open(os.path.join(CASES, name)) as handle:
        source = handle.read()
    with open(os.path.join(CASES, name + ".pkr.hcl")) as handle:
        packer_output = handle.read()
    assert differences(upgrade_text(source, name), packer_output, json.loads(source)) == []


def test_the_stored_cases_are_many_and_have_sources():
    with open(os.path.join(CASES, "SOURCES.tsv")) as handle:
        listed = {line.split("\t")[0] for line in handle.read().splitlines()[1:]}
    assert len(PACKER_CASES) >= 20
    assert listed == set(PACKER_CASES)


def test_layout_aligns_runs_of_attributes_and_sorts_keys():
    text = up({"builders": [{"type": "docker", "image": "x", "commit": True, "changes": ["A", "B"],
                             "run_command": [], "ssh_port": 22}]})
    assert text == ('source "docker" "docker" {\n'
                    '  changes  = ["A", "B"]\n'
                    '  commit   = true\n'
                    '  image    = "x"\n'
                    '  ssh_port = 22\n'
                    '}\n\n'
                    'build {\n'
                    '  sources = ["source.docker.docker"]\n'
                    '}\n')


def test_variables_sensitive_required_and_env_default():
    text = up({"variables": {"token": "", "region": None, "home": "{{env `HOME`}}/x"},
               "sensitive-variables": ["token"], "builders": [{"type": "null", "communicator": "none"}]})
    assert 'variable "token" {\n  type      = string\n  default   = ""\n  sensitive = true\n}' in text
    assert 'variable "region" {\n  type = string\n}' in text
    assert 'default = "${env("HOME")}/x"' in text


def test_defaults_that_use_other_functions_become_locals():
    text = up({"variables": {"base": "a", "derived": "{{user `base`}}-{{timestamp}}", "secret": "{{user `base`}}"},
               "sensitive-variables": ["secret"],
               "builders": [{"type": "docker", "image": "{{user `derived`}}", "commit": True}]})
    assert 'locals {\n  derived = "${var.base}-${local.timestamp}"\n}' in text
    assert 'local "secret" {\n  sensitive  = true\n  expression = "${var.base}"\n}' in text
    assert 'image  = "${local.derived}"' in text
    assert 'locals { timestamp = regex_replace(timestamp(), "[- TZ:]", "") }' in text
    assert 'variable "derived"' not in text


def test_env_outside_a_default_reads_a_generated_variable():
    # HCL2 allows env() only in a variable's default.
    text = up({"variables": {"env_HOME": "taken"},
               "builders": [{"type": "docker", "image": "{{env `HOME`}}", "commit": True}]})
    assert 'variable "env_HOME_" {\n  type    = string\n  default = "${env("HOME")}"\n}' in text
    assert 'image  = "${var.env_HOME_}"' in text


def test_build_functions_and_runtime_data():
    text = up({"builders": [{"type": "docker", "name": "web", "image": "i", "commit": True}],
               "provisioners": [{"type": "shell", "inline": [
                   "echo {{build_name}} {{build_type}} {{ build `ID` }} {{template_dir}} {{pwd}} {{uuid}} {{isotime}}",
                   "echo {{isotime `2006`}} {{packer_version}}"],
                   "execute_command": "sudo {{ .Vars }} sh '{{.Path}}'"}]})
    assert ('"echo ${source.name} ${source.type} ${build.ID} ${path.root} ${path.cwd} ${uuidv4()} ${timestamp()}", '
            '"echo ${legacy_isotime("2006")} ${packer.version}"') in text
    assert "execute_command = \"sudo {{ .Vars }} sh '{{.Path}}'\"" in text
    assert 'source "docker" "web"' in text and 'sources = ["source.docker.web"]' in text


def test_literal_hcl_sequences_and_quotes_are_escaped():
    text = up({"builders": [{"type": "docker", "image": 'a${b}%{c}"\\\n\t', "commit": True}]})
    assert 'image  = "a$${b}%%{c}\\"\\\\\\n\\t"' in text


def test_calls_without_translation_are_kept_and_noted():
    text = up({"builders": [{"type": "null", "communicator": "none"}],
               "provisioners": [{"type": "shell-local", "inline": ["echo {{ upper `x` }} {{ user `v` | lower }}"],
                                 "environment_vars": ['W={{ user "w" }}']}]})
    assert "  # {{ upper `x` }} was kept as written: upgrade it by hand to upper(string)\n" in text
    assert '"echo {{ upper `x` }} {{ user `v` | lower }}"' in text
    # a variable only a var file declares is declared, required
    assert 'variable "v" {\n  type = string\n}' in text
    assert 'variable "w" {\n  type = string\n}' in text and '"W=${var.w}"' in text


def test_provisioner_options_only_except_override():
    text = up({"builders": [{"type": "docker", "name": "a", "image": "i", "commit": True},
                            {"type": "null", "name": "b", "communicator": "none"}],
               "provisioners": [{"type": "shell", "inline": ["x"], "only": ["a"], "except": ["b"],
                                 "pause_before": "90s", "timeout": "1h", "max_retries": 3,
                                 "override": {"a": {"inline": ["y"]}}}],
               "error-cleanup-provisioner": {"type": "shell-local", "inline": ["z"]}})
    assert ('  provisioner "shell" {\n'
            '    except      = ["null.b"]\n'
            '    inline      = ["x"]\n'
            '    max_retries = "3"\n'
            '    only        = ["docker.a"]\n'
            '    override = {\n'
            '      a = {\n'
            '        inline = ["y"]\n'
            '      }\n'
            '    }\n'
            '    pause_before = "1m30s"\n'
            '    timeout      = "1h0m0s"\n'
            '  }\n') in text
    assert '  error-cleanup-provisioner "shell-local" {\n    inline = ["z"]\n  }\n' in text


def test_post_processor_chains():
    text = up({"builders": [{"type": "docker", "image": "i", "commit": True}],
               "post-processors": ["manifest", [{"type": "docker-tag", "repository": "r", "keep_input_artifact": True},
                                                {"type": "shell-local", "name": "notify", "inline": ["n"], "only": ["docker"]}]]})
    assert '  post-processor "manifest" {\n  }\n' in text
    assert ('  post-processors {\n'
            '    post-processor "docker-tag" {\n'
            '      keep_input_artifact = true\n'
            '      repository          = "r"\n'
            '    }\n'
            '    post-processor "shell-local" {\n'
            '      inline = ["n"]\n'
            '      name   = "notify"\n'
            '      only   = ["docker.docker"]\n'
            '    }\n'
            '  }\n') in text


def test_nested_objects_become_blocks():
    text = up({"builders": [{"type": "amazon-ebs", "tags": {"Name": "x"}, "source_ami_filter": {"filters": {"a": "b"}, "owners": ["1"]},
                             "launch_block_device_mappings": [{"device_name": "/dev/a"}, {"device_name": "/dev/b"}]}]})
    assert '  launch_block_device_mappings {\n    device_name = "/dev/a"\n  }\n  launch_block_device_mappings {\n' in text
    assert '  source_ami_filter {\n    filters = {\n      a = "b"\n    }\n    owners = ["1"]\n  }\n' in text
    assert '  tags = {\n    Name = "x"\n  }\n' in text


def test_invalid_template_is_refused_with_positions():
    with pytest.raises(TemplateErrors) as raised:
        upgrade_text('{"builders": [{"name": "x"}]}', "bad.json")
    assert str(raised.value) == "bad.json:1:15: builders[0]: builder 1: missing 'type'"
    with pytest.raises(TemplateErrors, match=r"bad.json:1:2: Error parsing JSON"):
        upgrade_text("{,}", "bad.json")


@pytest.mark.parametrize("seconds, text", [(0, "0s"), (5, "5s"), (90, "1m30s"), (3600, "1h0m0s"), (1.5, "1.5s"),
                                           (0.25, "250ms"), (3725.5, "1h2m5.5s")])
def test_go_duration(seconds, text):
    assert go_duration(seconds) == text


def test_build_name_in_a_source_is_written_out():
    # Packer 1.6.6 leaves source.name unknown inside a source block: the value is known, so write it.
    text = up({"builders": [{"type": "qemu", "name": "vm", "vm_name": "{{build_name}}-{{build_type}}.img", "iso_url": "x"}]})
    assert 'vm_name = "vm-qemu.img"' in text


def test_a_default_calling_a_function_left_by_hand_is_a_local_with_its_note():
    text = up({"variables": {"loud": "{{ `x` | upper }}", "fine": "{{ .Kept }}"},
               "builders": [{"type": "null", "communicator": "none"}]})
    assert ('# {{ `x` | upper }} was kept as written: upgrade it by hand to upper(string)\n'
            'locals {\n  loud = "{{ `x` | upper }}"\n}') in text
    assert 'variable "fine" {\n  type    = string\n  default = "{{ .Kept }}"\n}' in text
    assert text.count("# ") == 1


def test_objects_the_plugins_declare_as_blocks():
    text = up({"builders": [{"type": "vsphere-clone", "linux_options": {"domain": "d"}, "tags": {"a": "b"}}]})
    assert '  linux_options {\n    domain = "d"\n  }\n' in text
    assert '  tags = {\n' in text


def test_strings_where_lists_are_expected_become_lists():
    # Packer's JSON decoder splits a string on commas where a list is expected; HCL2 wants the list.
    text = up({"variables": {"regions": "a,b"},
               "builders": [{"type": "docker", "image": "i", "commit": True, "changes": "ENV A=1"}],
               "provisioners": [{"type": "shell", "inline": "echo hi", "environment_vars": ""}],
               "post-processors": [{"type": "docker-tag", "repository": "r", "tag": "v1,latest",
                                    "tags": "{{user `regions`}}"}]})
    assert 'changes = ["ENV A=1"]' in text
    assert 'inline = ["echo hi"]' in text and "environment_vars" not in text
    assert 'tag        = ["v1", "latest"]' in text
    assert 'tags       = split(",", "${var.regions}")' in text


def test_control_characters_are_escaped():
    assert 'image  = "a\\u0001b\\u007fc"' in up({"builders": [{"type": "docker", "image": "a\x01b\x7fc", "commit": True}]})
