"""What -on-error=abort tells about each resource it leaves (ledger.manual_removal): how to remove it by hand."""

from __future__ import annotations

import pytest

from ansible_collections.cattle.images.plugins.module_utils.ledger import manual_removal


@pytest.mark.parametrize("entry, hint", [
    ({"kind": "docker_container", "name": "cattle-abc", "temp_dir": "/tmp/cattle-docker-abc-1", "docker_host": ""},
     ": remove it with `docker rm -f cattle-abc`, and its files in /tmp/cattle-docker-abc-1 with "
     "`rm -rf /tmp/cattle-docker-abc-1`"),
    ({"kind": "docker_container", "name": "cattle-abc", "docker_host": "tcp://10.0.0.2:2375"},
     ": remove it with `DOCKER_HOST=tcp://10.0.0.2:2375 docker rm -f cattle-abc`"),
    ({"kind": "virtualbox_vm", "name": "packer deb", "work_dir": "/tmp/cattle-vbox-1"},
     ": remove it with `VBoxManage controlvm 'packer deb' poweroff; VBoxManage unregistervm 'packer deb' --delete`, "
     "and its files in /tmp/cattle-vbox-1 with `rm -rf /tmp/cattle-vbox-1`"),
    ({"kind": "process", "name": "qemu-abc", "pid": 4242, "remove_paths": ["/tmp/cattle-qemu-abc"]},
     ": remove it with `kill 4242`, and its files in /tmp/cattle-qemu-abc with `rm -rf /tmp/cattle-qemu-abc`"),
    ({"kind": "process", "name": "http-abc"}, ""),  # recorded before it started: nothing to kill yet
    ({"kind": "ec2_instance", "name": "i-0123", "region": "eu-west-1"},
     ": remove it with `aws ec2 terminate-instances --instance-ids i-0123 --region eu-west-1`"),
    ({"kind": "ec2_image", "name": "ami-1"}, ": remove it with `aws ec2 deregister-image --image-id ami-1`"),
    ({"kind": "qemu_output_directory", "name": "/work/output-qemu"}, ": remove it with `rm -rf /work/output-qemu`"),
    ({"kind": "something_new", "name": "x"}, ""),
])
def test_manual_removal(entry, hint):
    assert manual_removal(dict(entry, build="b", op="record")) == hint
