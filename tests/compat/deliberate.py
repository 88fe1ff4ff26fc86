"""The one list of what may differ between `packer build` (1.6.6) and `cattle build` on the
Docker corpus, each with its reason. The differential harness reads these tables; anything
that differs and is not covered here is a defect.
"""

from __future__ import annotations

# Image config fields that may differ, and when.  The harness checks the replacement rule
# instead: cattle's value must equal the base image's value unless the template's `changes`
# set the field, in which case both tools must agree.
KEPT_FROM_BASE_IMAGE: dict[str, str] = {
    "Cmd": (
        "Packer commits the container with the command it ran (`/bin/sh` or run_command's), so the "
        "image's CMD becomes the build's shell; cattle keeps the base image's CMD unless `changes` "
        "set one (DESIGN.md, 'Decisions already taken'; a long-standing Packer complaint)."
    ),
    "Entrypoint": (
        "Packer runs the container with `--entrypoint=/bin/sh` (or run_command's) and commits it, so "
        "the image's ENTRYPOINT becomes the build's shell; cattle keeps the base image's ENTRYPOINT "
        "unless `changes` set one (same decision as Cmd)."
    ),
}

# Paths in the container filesystem (`docker export` listing, or the builder's export_path tar)
# that are not compared, with the reason.
IGNORED_PATHS: dict[str, str] = {
    "etc/hostname": "Docker bind-mounts it into every container; its size is the container id's length "
                    "and the file differs per container.",
    "etc/hosts": "Docker bind-mounts it into every container; content and size depend on the container's "
                 "address and name.",
    "etc/resolv.conf": "Docker bind-mounts it into every container, from the host's resolver config.",
    ".dockerenv": "Docker creates it in every container; not part of what either tool builds.",
    "dev": "Docker populates /dev in every container (device nodes, console); `docker export` lists "
           "them as the daemon made them, not as the build did.",
    "proc": "A mount point of every container.",
    "sys": "A mount point of every container.",
}

# Paths (regular expressions) not compared because the build's own commands make them differ per run.
IGNORED_PATH_PATTERNS: dict[str, str] = {
    r"etc/ssl/certs/[0-9a-f]{8}\.\d+": "Debian's ssl-cert package generates a random snakeoil certificate when it is "
                                       "installed; the name of its subject-hash link differs on every install.",
}

# Path prefixes whose entries are compared without their size (content legitimately varies).
SIZE_IGNORED_PREFIXES: dict[str, str] = {
    "var/log/": "Log files record times and process ids of the run.",
    "root/.ansible/": "Ansible's temp and fact caches hold run-specific names and times.",
    "var/cache/ldconfig/aux-cache": "Records inode/mtime data of the run.",
}

# Output step lines: parts that are replaced by placeholders before comparing.
# (regex, placeholder, reason)
STEP_LINE_NORMALISATIONS: list[tuple[str, str, str]] = [
    (r"sha256:[0-9a-f]{64}", "<image-id>", "image ids differ per build"),
    (r"\b[0-9a-f]{64}\b", "<id>", "container ids differ per run"),
    (r"\b[0-9a-f]{12}\b", "<short-id>", "short ids differ per run"),
    (r"/tmp/cattle-run-\w+/(tmp/)?packer-shell[\w.-]*", "<script>",
     "DELIBERATE: cattle writes an inline script into its private run directory (mode 0700), so a secret "
     "in it never sits in the shared /tmp; Packer writes /tmp/packer-shellNNN"),
    (r"/tmp/packer-shell[\w.-]*", "<script>", "the temporary name of an inline script"),
    (r"(/root)?/\.packer\.d/tmp\d+", "<tmpdir>", "Packer's temporary shared directory"),
    (r"after [0-9][\w ]*?(seconds?|milliseconds?|microseconds?|minutes?|hours?)( [0-9]+ \w+)?", "after <time>",
     "durations"),
    (r"\b\d{10}\b", "<timestamp>", "{{timestamp}} values in tags and names"),
    (r"/tmp/script_\d+\.sh", "<remote-script>", "the random remote name of an uploaded script"),
    (r"\b172\.\d+\.\d+\.\d+\b", "<container-ip>", "the container's address on the bridge"),
    (r"Error logging in to Docker: .*", "Error logging in to Docker: <reason>",
     "DELIBERATE: cattle logs in through the Docker API and gives the registry's reason; Packer runs "
     "`docker login` and says only 'Bad exit status: 1'"),
    (r"Executing Ansible: .*", "Executing Ansible: <command>",
     "DELIBERATE: cattle runs ansible-playbook natively against the build host (its own inventory and "
     "connection), not through Packer's SSH proxy adapter, so the command line differs"),
    (r"==> [\w-]+ \(docker-tag\): Deprecation warning: \"tag\" option has been replaced with \"tags\".*", "",
     "DELIBERATE: cattle prints docker-tag's deprecation warning when the template is validated, before "
     "the build starts, not from the post-processor while building"),
    (r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d", "<datetime>", "times printed by the build's own commands"),
]

# Artifact and manifest fields that are replaced by placeholders before comparing.
ARTIFACT_NORMALISATIONS = STEP_LINE_NORMALISATIONS
MANIFEST_VOLATILE_KEYS: dict[str, str] = {
    "packer_run_uuid": "random per run",
    "build_time": "the time of the run",
    "artifact_id": "the image id or tag, compared through the artifact instead",
}

# Templates whose `validate` verdict differs from Packer's on purpose: entry -> (key words our
# error must contain, reason).
VALIDATE_DIFFERENCES: dict[str, tuple[str, str]] = {
    "adilbaig-challenge": (
        "'RUN pip install -r requirements.txt' is not a supported instruction",
        "Packer 1.6.6 validates a RUN change and then fails at commit, after provisioning "
        "('run is not a valid change command'); cattle refuses it before anything starts.",
    ),
}

# The words `cattle validate` uses for a type Packer 1.6.6 has built in but cattle does not run yet.
NOT_IMPLEMENTED = "is built into Packer 1.6.6 but not implemented in cattle"

# Image labels cattle adds to every committed image, on purpose.
ADDED_LABELS: dict[str, str] = {
    "cattle.build_id": "DELIBERATE: lets a later `cattle build` or `cattle sweep` find what a killed run left behind",
    "cattle.build_name": "DELIBERATE: names the build that made the image, beside its build id",
}

# `{{ build `Key` }}` values that differ from Packer's (tests/integration/test_build_keys_per_builder.py), by
# "builder/phase/Key".
BUILD_DATA_DIFFERENCES: dict[str, str] = {
    "amazon-ebs/post-process/SSHPrivateKey": (
        "Packer hands post-processors the temporary key pair's private key it still holds in memory; "
        "cattle deletes the key's file with the key pair before the post-processors run (secrets are "
        "not kept beyond their use), so they read an empty SSHPrivateKey. The key pair no longer exists "
        "in EC2 by then in either tool."
    ),
}
