"""A failing step stops its build at once, and -on-error decides what is left, as in Packer 1.6.6.

Real Docker through `cattle build`. Marker files written by `shell-local` steps on this
machine, and files written in the container, prove which steps ran and in what order.
"""

from __future__ import annotations

import pytest

from tests.fixtures import docker_cli
from tests.fixtures.docker_cli import containers_of, docker, write_docker_template
from tests.fixtures.interrupt import run_build

pytestmark = [pytest.mark.docker, pytest.mark.slow]


@pytest.fixture
def build_name():
    # A build left on purpose (-on-error=abort) is the test's to remove: the fixture removes its
    # container and the temp dir the container mounts.
    with docker_cli.build_name("it-stop") as name:
        yield name


def write_template(workdir, build_name, **sections):
    return write_docker_template(workdir / f"{build_name}.json", build_name,
                                 {key.replace("_", "-"): value for key, value in sections.items()},
                                 commit=True, changes=[f"LABEL cattle-it={build_name}"])


def three_provisioners(markers):
    """The first fails (after leaving /first in the guest), the second runs here, the third in the guest."""
    return [
        {"type": "shell", "inline": ["touch /first", "exit 3"]},
        {"type": "shell-local", "inline": [f"touch {markers}/second"]},
        {"type": "shell", "inline": ["touch /third"]},
    ]


def guest_has(container, path):
    return docker("exec", container, "test", "-e", path, check=False).returncode == 0


@pytest.fixture
def markers(tmp_path):
    path = tmp_path / "markers"
    path.mkdir()
    return path


def test_first_failing_provisioner_stops_the_build(tmp_path, markers, build_name):
    template = write_template(tmp_path, build_name, provisioners=three_provisioners(markers))
    result = run_build(template, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"--> {build_name}: Script exited with non-zero exit status: 3" in result.stdout
    # Only one provisioner started; the shell-local one never touched this machine.
    assert result.stdout.count("Provisioning with shell script") == 1
    assert "Running local shell script" not in result.stdout
    assert list(markers.iterdir()) == []
    assert containers_of(build_name) == []


def test_abort_leaves_the_container_as_the_failed_step_left_it(tmp_path, markers, build_name):
    template = write_template(tmp_path, build_name, provisioners=three_provisioners(markers))
    result = run_build(template, tmp_path, "-on-error=abort")
    assert result.returncode == 1, result.stdout + result.stderr
    [container] = containers_of(build_name)
    assert docker("inspect", "-f", "{{.State.Running}}", container).stdout.strip() == "true"
    assert guest_has(container, "/first")
    assert not guest_has(container, "/third")
    assert list(markers.iterdir()) == []
    # Nothing ran after the failure: no cleanup, no error-cleanup notice, and the user is told what is left.
    assert "Provisioning step had errors" not in result.stdout
    assert "Leaving docker_container cattle-" in result.stdout
    assert f"of build '{build_name}' (-on-error=abort)" in result.stdout


def error_cleanup_recorder(markers, build_name):
    """Records which markers exist and whether the build's container is still there when it runs."""
    return {"type": "shell-local", "inline": [
        f"ls {markers} > {markers}/../cleanup-saw-markers",
        f"docker ps -q --filter label=cattle.build_name={build_name} > {markers}/../cleanup-saw-containers",
        "echo error-cleanup ran",
    ]}


def test_error_cleanup_provisioner_runs_right_after_the_failure_then_cleanup(tmp_path, markers, build_name):
    template = write_template(tmp_path, build_name, provisioners=three_provisioners(markers),
                              error_cleanup_provisioner=error_cleanup_recorder(markers, build_name))
    result = run_build(template, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    failed = next(i for i, line in enumerate(lines) if "Provisioning with shell script" in line)
    assert lines[failed + 1] == f"==> {build_name}: Provisioning step had errors: Running the cleanup provisioner, if present..."
    assert "Running local shell script" in lines[failed + 2]
    assert lines[failed + 3] == f"    {build_name}: error-cleanup ran"
    # It ran before the later steps (they never ran) and before the container was removed.
    assert (tmp_path / "cleanup-saw-markers").read_text() == ""
    assert (tmp_path / "cleanup-saw-containers").read_text().split() != []
    assert list(markers.iterdir()) == []
    assert containers_of(build_name) == []


def test_run_cleanup_provisioner_runs_it_then_leaves_the_build(tmp_path, markers, build_name):
    # Packer 1.6.6: run-cleanup-provisioner runs the error-cleanup provisioner, then aborts (no cleanup).
    template = write_template(tmp_path, build_name, provisioners=three_provisioners(markers),
                              error_cleanup_provisioner=error_cleanup_recorder(markers, build_name))
    result = run_build(template, tmp_path, "-on-error=run-cleanup-provisioner")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"    {build_name}: error-cleanup ran" in result.stdout
    assert (tmp_path / "cleanup-saw-markers").read_text() == ""
    [container] = containers_of(build_name)
    assert guest_has(container, "/first")
    assert not guest_has(container, "/third")
    assert f"of build '{build_name}' (-on-error=run-cleanup-provisioner)" in result.stdout


def test_failing_post_processor_stops_its_chain_but_not_the_others(tmp_path, markers, build_name):
    template = write_template(tmp_path, build_name, post_processors=[
        [{"type": "shell-local", "inline": ["exit 4"]},
         {"type": "shell-local", "inline": [f"touch {markers}/after-the-failure"]}],
        [{"type": "shell-local", "inline": [f"touch {markers}/other-chain"]}],
    ])
    result = run_build(template, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert sorted(p.name for p in markers.iterdir()) == ["other-chain"]
    assert result.stdout.count(f"==> {build_name}: Running post-processor: shell-local") == 2
    assert (f"--> {build_name}: 1 error(s) occurred:\n\n"
            "* Post-processor failed: Script exited with non-zero exit status: 4.") in result.stdout
    assert containers_of(build_name) == []


def test_no_error_cleanup_provisioner_after_a_failed_launch(tmp_path, markers, build_name):
    # Packer runs it for a failure in provisioning or a later step only (StepProvision's cleanup).
    template = write_docker_template(
        tmp_path / f"{build_name}.json", build_name,
        {"provisioners": three_provisioners(markers), "error-cleanup-provisioner": error_cleanup_recorder(markers, build_name)},
        image=f"local/{build_name}:missing", commit=True)
    result = run_build(template, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Provisioning step had errors" not in result.stdout
    assert "error-cleanup ran" not in result.stdout
    assert not (tmp_path / "cleanup-saw-markers").exists()
    assert containers_of(build_name) == []


def test_error_cleanup_provisioner_runs_for_a_failed_capture_without_provisioners(tmp_path, markers, build_name):
    # Provisioning has begun once the launch is over, even with no provisioner: a failed export
    # (into a directory that does not exist) is a later step's failure.
    template = write_docker_template(
        tmp_path / f"{build_name}.json", build_name,
        {"error-cleanup-provisioner": error_cleanup_recorder(markers, build_name)},
        export_path=str(tmp_path / "no-such-dir" / "image.tar"))
    result = run_build(template, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"    {build_name}: error-cleanup ran" in result.stdout, result.stdout
    assert containers_of(build_name) == []
