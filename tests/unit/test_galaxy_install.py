"""The collection installs the Ansible way: what galaxy.yml, meta/ and the root requirement files
declare, an installed tarball that works, and an execution environment build context."""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import tarfile

import pytest
import yaml
from ansible.module_utils.compat.version import LooseVersion

from tests.conftest import REPO

FQCN = re.compile(r"\b([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)\.[a-z][a-z0-9_]*\b")
CONTENT_DIRS = ("plugins", "roles", "playbooks")
# FQCN-looking words that are not collections (Python modules, dotted option paths in prose).
NOT_COLLECTIONS = {"ansible.builtin", "ansible.legacy", "cattle.images", "ansible.module_utils", "ansible.plugins",
                   "ansible.errors", "ansible.utils", "ansible.parsing", "ansible.template", "ansible.playbook",
                   "ansible.executor", "ansible.vars", "ansible.inventory", "ansible.config", "ansible.constants",
                   "ansible.release", "ansible.cli", "ansible.galaxy", "ansible.collections", "ansible._internal"}


def load(path):
    with open(os.path.join(REPO, path), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def run(venv_bin, tool, *args, env=None, cwd=REPO):
    return subprocess.run([os.path.join(venv_bin, tool), *args], cwd=cwd, capture_output=True, text=True,
                          check=False, env=env)


def collections_used():
    used = {}
    for top in CONTENT_DIRS:
        for path in glob.glob(os.path.join(REPO, top, "**", "*.y*ml"), recursive=True):
            with open(path, encoding="utf-8") as handle:
                for line_no, line in enumerate(handle, 1):
                    stripped = line.strip()
                    if stripped.startswith("#"):
                        continue
                    for namespace, name in FQCN.findall(stripped):
                        collection = f"{namespace}.{name}"
                        if namespace in ("community", "amazon", "ansible") and collection not in NOT_COLLECTIONS:
                            used.setdefault(collection, f"{os.path.relpath(path, REPO)}:{line_no}")
    return used


def satisfies(version, spec):
    for clause in spec.split(","):
        match = re.fullmatch(r"\s*(>=|<=|==|!=|>|<)?\s*([0-9][0-9.]*)\s*", clause)
        assert match, f"unreadable version clause {clause!r}"
        op, wanted = match.group(1) or "==", LooseVersion(match.group(2))
        have = LooseVersion(version)
        ok = {">=": have >= wanted, "<=": have <= wanted, "==": have == wanted, "!=": have != wanted,
              ">": have > wanted, "<": have < wanted}[op]
        if not ok:
            return False
    return True


def installed_collection_version(venv_bin, collection):
    result = run(venv_bin, "ansible-galaxy", "collection", "list", collection, "--format", "yaml")
    assert result.returncode == 0, result.stderr
    for found in (yaml.safe_load(result.stdout) or {}).values():
        if collection in found:
            return found[collection]["version"]
    raise AssertionError(f"{collection} is not installed in the venv")


def test_galaxy_yml_declares_every_collection_the_content_uses():
    declared = load("galaxy.yml")["dependencies"]
    used = collections_used()
    assert "community.docker" in used  # the docker_api connection of docker builds
    missing = {c: where for c, where in used.items() if c not in declared}
    assert not missing, f"used but not in galaxy.yml dependencies: {missing}"
    unused = set(declared) - set(used)
    assert not unused, f"declared in galaxy.yml but not used: {unused}"


def test_declared_collection_ranges_are_met_by_the_installed_bundle(venv_bin):
    for collection, spec in load("galaxy.yml")["dependencies"].items():
        version = installed_collection_version(venv_bin, collection)
        assert satisfies(version, spec), f"{collection} {version} does not meet {spec}"


def test_satisfies_reads_ranges():
    assert satisfies("4.8.5", ">=3.10.0,<6.0.0")
    assert not satisfies("6.0.0", ">=3.10.0,<6.0.0")
    assert not satisfies("3.9.9", ">=3.10.0")


def test_runtime_action_groups_name_only_existing_modules():
    runtime = load("meta/runtime.yml")
    assert runtime["requires_ansible"].startswith(">=")
    for group, members in runtime.get("action_groups", {}).items():
        for member in members:
            if isinstance(member, dict):  # metadata: extend_group
                continue
            short = member.split(".")[-1]
            assert os.path.isfile(os.path.join(REPO, "plugins", "modules", f"{short}.py")), (
                f"meta/runtime.yml action group {group!r} names {member!r}, which is not a module")


ROLES = sorted(os.path.basename(p) for p in glob.glob(os.path.join(REPO, "roles", "*")) if os.path.isdir(p))


@pytest.mark.parametrize("role", ROLES)
def test_every_role_has_argument_specs_for_its_entry_points(role):
    path = os.path.join("roles", role, "meta", "argument_specs.yml")
    assert os.path.isfile(os.path.join(REPO, path)), f"{path} is missing"
    entry_points = load(path)["argument_specs"]
    task_files = {os.path.splitext(os.path.basename(p))[0]
                  for p in glob.glob(os.path.join(REPO, "roles", role, "tasks", "*.yml"))}
    # Every entry point is a tasks file; every tasks file other roles include by name is an entry point.
    assert set(entry_points) <= task_files, f"{path}: entry points with no tasks file"
    included = included_entry_points(role)
    assert included <= set(entry_points), f"{path}: no spec for {sorted(included - set(entry_points))}"
    for name, spec in entry_points.items():
        assert spec.get("short_description"), f"{path}: {name} has no short_description"


def included_entry_points(role):
    """tasks_from values used with this role (directly or through cattle.images.build's builder_<type>)."""
    found = set()
    pattern = re.compile(r"name:\s*(\S+)\s*\n\s*tasks_from:\s*(\w+)")
    for path in glob.glob(os.path.join(REPO, "roles", "**", "*.yml"), recursive=True):
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        for name, tasks_from in pattern.findall(text):
            if name == f"cattle.images.{role}" or (name == '"{{' and role.startswith("builder_")):
                found.add(tasks_from)
            if "cattle_builder_role" in name and role.startswith("builder_"):
                found.add(tasks_from)
    if role == "build":
        found.add("main")
    return found


def test_role_docs_render(venv_bin):
    for role in ROLES:
        result = run(venv_bin, "ansible-doc", "-t", "role", f"cattle.images.{role}")
        assert result.returncode == 0, result.stderr
        assert "ENTRY POINT" in result.stdout, role
        assert "[WARNING]" not in result.stderr, result.stderr


def test_execution_environment_metadata_points_at_the_root_files():
    ee = load("meta/execution-environment.yml")
    assert ee["dependencies"] == {"python": "requirements.txt", "system": "bindep.txt"}
    for name in ee["dependencies"].values():
        assert os.path.isfile(os.path.join(REPO, name)), name


def requirement_names(path):
    names = set()
    with open(os.path.join(REPO, path), encoding="utf-8") as handle:
        for line in handle:
            line = line.split("#", 1)[0].strip()
            if line:
                names.add(re.split(r"[<>=!\[ ;]", line, maxsplit=1)[0].lower())
    return names


def test_requirements_txt_lists_the_python_packages_the_plugins_import():
    names = requirement_names("requirements.txt")
    imported = set()
    for path in glob.glob(os.path.join(REPO, "plugins", "**", "*.py"), recursive=True):
        with open(path, encoding="utf-8") as handle:
            imported |= set(re.findall(r"^\s*(?:import|from) (docker|boto3|botocore|winrm|yaml|lz4|cryptography|requests)\b",
                                       handle.read(), re.M))
    wanted = {"docker", "boto3", "botocore", "lz4", "cryptography", "requests"} & imported
    wanted |= {"pyyaml"} if "yaml" in imported else set()
    assert wanted <= names, f"requirements.txt misses {wanted - names}"
    assert "pywinrm" in names  # the winrm communicator: ansible.builtin.winrm needs it
    assert not {"ansible", "ansible-core"} & names


def test_the_python_package_needs_ansible_core_not_the_bundle():
    import tomllib

    with open(os.path.join(REPO, "pyproject.toml"), "rb") as handle:
        project = tomllib.load(handle)["project"]
    names = {re.split(r"[<>=!~\[ ]", dep, maxsplit=1)[0].lower() for dep in project["dependencies"]}
    assert "ansible-core" in names and "ansible" not in names
    # Everything the plugins need on the controller comes with it (lz4 only for .lz4 outputs: an extra).
    assert requirement_names("requirements.txt") - {"lz4"} <= names
    assert any(dep.startswith("ansible>=") for dep in project["optional-dependencies"]["collections"])


def test_bindep_lists_what_an_execution_environment_installs(venv_bin):
    """ansible-builder installs what `bindep -l newline` lists with no profile: the ssh and qemu
    programs; VirtualBox (not in the distributions' repositories) only on request."""
    def listed(*profiles):
        result = subprocess.run([os.path.join(venv_bin, "bindep"), "-f", os.path.join(REPO, "bindep.txt"),
                                 "--list_all", "newline", *profiles], capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr
        return set(result.stdout.split())

    default = listed()
    assert {"openssh-client", "sshpass", "qemu-system-x86", "qemu-utils"} <= default
    assert "virtualbox" not in default
    assert "virtualbox" in listed("virtualbox")


@pytest.fixture(scope="module")
def collection_tarball(venv_bin, tmp_path_factory):
    out = tmp_path_factory.mktemp("galaxy-build")
    result = run(venv_bin, "ansible-galaxy", "collection", "build", "--output-path", str(out), REPO)
    assert result.returncode == 0, result.stderr
    (artifact,) = glob.glob(str(out / "cattle-images-*.tar.gz"))
    return artifact


@pytest.mark.slow
def test_installed_tarball_documents_and_parses(venv_bin, collection_tarball, tmp_path):
    collections = tmp_path / "collections"
    # Galaxy is unreachable: --offline resolves the declared community.docker against the copy the
    # venv's ansible bundle installed. --force: the venv already sees the worktree's cattle.images,
    # and galaxy would otherwise skip the install.
    result = run(venv_bin, "ansible-galaxy", "collection", "install", "--offline", "--force",
                 "-p", str(collections), collection_tarball)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "'community.docker:" in result.stdout and "already installed" in result.stdout, result.stdout
    installed = collections / "ansible_collections" / "cattle" / "images"
    assert (installed / "MANIFEST.json").is_file()
    env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(collections)}
    doc = run(venv_bin, "ansible-doc", "cattle.images.docker", env=env, cwd=str(tmp_path))
    assert doc.returncode == 0, doc.stderr
    assert str(installed) in doc.stdout  # this copy, not the worktree's
    syntax = run(venv_bin, "ansible-playbook", "cattle.images.build_image", "--syntax-check", env=env, cwd=str(tmp_path))
    assert syntax.returncode == 0, syntax.stdout + syntax.stderr
    # What ansible-builder would install for this collection in an execution environment.
    introspect = run(venv_bin, "ansible-builder", "introspect", str(collections), cwd=str(tmp_path))
    assert introspect.returncode == 0, introspect.stderr
    wanted = yaml.safe_load(introspect.stdout.split("\n", 1)[1])
    assert any(line.startswith("docker>=") for line in wanted["python"]), wanted
    assert any(line.startswith("qemu-system-x86 ") for line in wanted["system"]), wanted


# A few files of the plugins' unit tests, covering module_utils, the template language and action plugins.
UNITS_SUBSET = ("tests/unit/plugins/module_utils/template/test_config_argspec.py",
                "tests/unit/plugins/module_utils/test_builder_frontend.py",
                "tests/unit/plugins/module_utils/test_durations.py")


@pytest.mark.slow
def test_ansible_test_units_passes_on_the_installed_tarball(venv_bin, collection_tarball, tmp_path):
    with tarfile.open(collection_tarball) as tar:
        names = tar.getnames()
    assert "tests/unit/requirements.txt" in names
    assert not [n for n in names if n.startswith("tests/unit/cattle_cli")], "the CLI's tests are not shipped"
    collections = tmp_path / "collections"
    result = run(venv_bin, "ansible-galaxy", "collection", "install", "--offline", "--force", "--no-deps",
                 "-p", str(collections), collection_tarball)
    assert result.returncode == 0, result.stdout + result.stderr
    installed = collections / "ansible_collections" / "cattle" / "images"
    # --venv: a fresh venv with ansible-test's pytest and tests/unit/requirements.txt, so only what the
    # tarball declares is there (not this venv's site-packages or the worktree's collection).
    units = run(venv_bin, "ansible-test", "units", "--venv", "--requirements", "--python", "3.11", *UNITS_SUBSET,
                cwd=str(installed))
    assert units.returncode == 0, units.stdout[-4000:] + units.stderr[-4000:]
    assert re.search(r"\b\d+ passed", units.stdout) and " failed" not in units.stdout, units.stdout[-2000:]
    assert f"rootdir: {installed}" in units.stdout


def readme_execution_environment():
    """The execution-environment.yml shown in the README's "Install with ansible-galaxy" section."""
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as handle:
        readme = handle.read()
    section = readme.split("### Install with ansible-galaxy", 1)[1].split("\n## ", 1)[0]
    (snippet,) = re.findall(r"```yaml\n# execution-environment.yml\n(.*?)```", section, re.S)
    return yaml.safe_load(snippet)


@pytest.mark.slow
def test_ansible_builder_creates_an_ee_context_from_the_tarball(venv_bin, collection_tarball, tmp_path):
    """The README's execution environment definition, run as written next to the built tarball."""
    tarball = os.path.basename(collection_tarball)
    shutil.copy(collection_tarball, tmp_path / tarball)
    ee = readme_execution_environment()
    ee_file = tmp_path / "execution-environment.yml"
    ee_file.write_text(yaml.safe_dump(ee))
    context = tmp_path / "context"
    result = run(venv_bin, "ansible-builder", "create", "-f", str(ee_file), "-c", str(context),
                 "--output-filename", "Containerfile", cwd=str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (context / "Containerfile").is_file()
    containerfile = (context / "Containerfile").read_text()
    assert "ansible-galaxy" in containerfile and "introspect" in containerfile
    galaxy_reqs = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert galaxy_reqs["collections"] == [{"name": f"collections/{tarball}", "type": "file"}]
    assert (context / "_build" / "collections" / tarball).is_file()
    # introspect reads the collection's meta/execution-environment.yml inside the image; here we
    # check that the tarball carries it and the files it names.
    with tarfile.open(collection_tarball) as archive:
        names = set(archive.getnames())
    assert {"meta/execution-environment.yml", "requirements.txt", "bindep.txt"} <= names


def test_changelog_fragments_are_lint_clean(venv_bin):
    """changelogs/ is antsibull-changelog's: the released changelog and every new fragment parse."""
    result = run(venv_bin, "antsibull-changelog", "lint", cwd=REPO)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr
    assert os.path.isfile(os.path.join(REPO, "changelogs", "changelog.yaml"))
