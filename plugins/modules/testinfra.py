# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation of the cattle.images.testinfra action plugin (the code is in plugins/action/testinfra.py)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: testinfra
short_description: "Test the machine being built with pytest-testinfra, before it is captured"
description:
  - "cattle's own provisioner type (Packer has none like it): runs C(python -m pytest) with pytest-testinfra on the
     controller against the build host, through testinfra's C(ansible://) backend with C(--force-ansible), so every
     command travels over the connection Ansible uses for the build host (C(community.docker.docker_api), C(ssh),
     C(winrm)). No second set of credentials: the build host's connection variables go into a one-host inventory
     (host C(default); mode 0600, in the run's private directory, removed afterwards)."
  - "A failing test fails the step: the build stops before the capture, so nothing is committed, tagged, pushed,
     registered or exported. The error names each failing test by its pytest node id."
  - "The node ids and outcomes of a passing run become the host fact C(cattle_tests); the C(manifest)
     post-processor writes them into the artifact's entry as C(tests)."
version_added: 0.1.0
author: cattle.images developers (@cattle-images)
extends_documentation_fragment:
  - cattle.images.component
  - cattle.images.component.provisioner
  - cattle.images.options_testinfra
notes:
  - "Relative C(tests) and C(junit_xml) paths are relative to the template's directory."
  - "An existing C(junit_xml) file is replaced only with C(-force) (C(cattle build -force)), as Packer treats its
     outputs. The report is written when tests fail too, with the build's sensitive values masked."
  - "C(only), C(except), C(override), C(pause_before), C(timeout) and C(max_retries) work as for any provisioner."
  - "Needs pytest-testinfra on the controller (a dependency of the C(cattle-images) package). Each command runs
     through Ansible's C(raw) module, so the build host needs no Python; C(host.ansible(...)) calls in tests run
     real modules and do need it."
  - "The same tests run against an existing image with C(cattle test IMAGE TESTS...)."
"""

EXAMPLES = r"""
- name: Test the build host with the role's molecule tests
  cattle.images.testinfra:
    config:
      tests: [molecule/default/tests]
      environment_vars: ["EXPECTED_VERSION=2"]
      extra_arguments: ["-v"]
      junit_xml: reports/junit.xml
"""

RETURN = r"""
msg:
  description: What happened; on failure the error, naming the failing tests.
  returned: always
  type: str
  sample: "Tests failed (1 passed, 1 failed): tests/test_web.py::test_nginx_running[ansible://default]"
ansible_facts:
  description: "C(cattle_tests): every testinfra run of this build so far, each with its C(files), C(summary)
    and C(results) (node C(id) and C(outcome))."
  returned: success
  type: dict
  sample: {"cattle_tests": [{"files": ["tests"], "summary": "1 passed",
           "results": [{"id": "tests/test_web.py::test_nginx_running[ansible://default]", "outcome": "passed"}]}]}
ui:
  description:
    - "Output lines as C([kind, text]) pairs; C(say) is Packer's C(==> build: text), C(message) its
      C(    build: text), C(error) an error line. Sensitive values read C(<sensitive>)."
  returned: always
  type: list
  elements: list
  sample: [["say", "Testing with testinfra: tests"], ["message", "1 passed in 3.2s"]]
"""
