# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options every provisioner and post-processor action plugin shares."""


class ModuleDocFragment:
    # How a component finds its Packer options: given directly, or read from the plan.
    DOCUMENTATION = r"""
options:
  config:
    description:
      - The component's Packer options, already interpolated; each is listed below, generated from cattle's schemas.
      - Give either O(config) or O(plan_file) with O(build) and the component's position in the plan.
    type: dict
  plan_file:
    description:
      - The plan written by C(cattle build) or M(cattle.images.plan). The plugin reads its values
        itself, so Ansible never templates them; its C(sensitive_values) are masked in every
        returned string.
      - Defaults to C(cattle_build.plan_file) of the host.
    type: path
  build:
    description: Name of the build in the plan. Defaults to C(cattle_build.name) of the host.
    type: str
attributes:
  check_mode:
    support: full
    description: Nothing runs or is written; C(ui) says what would run.
  diff_mode:
    support: none
    description: Shows what changed as a diff in C(--diff) mode.
"""

    # Provisioners: which step of the plan, and Packer's per-provisioner controls.
    PROVISIONER = r"""
options:
  step:
    description: Index of the provisioner in the build's C(provisioners), or C(error-cleanup).
    type: raw
  pause_before:
    description:
      - With O(config) only (a plan step carries its own). Seconds or a Go duration (C(10s), C(1m30s)).
      - As in Packer, a provisioner with O(pause_before) never times out.
    type: raw
  timeout:
    description: With O(config) only. Cancel the provisioner after this long (seconds or Go duration).
    type: raw
  max_retries:
    description:
      - With O(config) only. Re-run a failing provisioner this many times, immediately; if all fail,
        the error is the first one.
    type: raw
"""

    # Post-processors: which one of the plan, and the artifact it works on.
    POST_PROCESSOR = r"""
options:
  chain:
    description: Index of the post-processor chain (sequence) in the build's C(post_processors).
    type: int
  index:
    description: Index of the post-processor inside its chain.
    type: int
  artifact:
    description:
      - The input artifact, C({id, builder_id, builder_type, build_name, files, string, metadata}).
    type: dict
"""
