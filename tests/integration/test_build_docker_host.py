"""A docker build talks to the daemon DOCKER_HOST names — the builder and the provisioners alike.

Packer runs every `docker` command (create, exec, cp, commit) against DOCKER_HOST. cattle's builder
uses the Docker SDK and its provisioners use community.docker's docker_api connection, which does
not read DOCKER_HOST by itself: the launch has to hand it over. The daemon is reached here through
a relay on a socket of the test's own; the relay records each request's User-Agent, so the test
sees which client went through it.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import threading
import uuid

import pytest

from tests.conftest import BASE_IMAGE

pytestmark = [pytest.mark.docker, pytest.mark.slow]

DAEMON = "/var/run/docker.sock"
USER_AGENT = re.compile(rb"\r\nUser-Agent: ([^\r\n]+)", re.IGNORECASE)


class Relay:
    """A UNIX socket that forwards every connection to the daemon's and notes who called."""

    def __init__(self, path):
        self.path = path
        self.user_agents = set()
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(path)
        self.server.listen(64)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client = self.server.accept()[0]
            except OSError:
                return
            daemon = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            daemon.connect(DAEMON)
            threading.Thread(target=self._pump, args=(client, daemon, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(daemon, client, False), daemon=True).start()

    def _pump(self, source, target, requests):
        try:
            while data := source.recv(65536):
                if requests:
                    self.user_agents.update(agent.decode() for agent in USER_AGENT.findall(data))
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.server.close()


def test_the_builder_and_the_provisioners_both_use_docker_host(venv_bin, tmp_path):
    if not os.path.exists(DAEMON):
        pytest.skip(f"no Docker daemon socket at {DAEMON}")
    relay = Relay(str(tmp_path / "relay.sock"))
    repository = f"local/cattle-it-dockerhost-{uuid.uuid4().hex[:8]}"
    template = tmp_path / "template.json"
    template.write_text(json.dumps({
        "builders": [{"type": "docker", "image": BASE_IMAGE, "pull": False, "commit": True}],
        "provisioners": [{"type": "shell", "inline": ["echo through the relay > /relayed"]}],
        "post-processors": [{"type": "docker-tag", "repository": repository, "tags": ["v1"]}],
    }))
    try:
        result = subprocess.run([os.path.join(venv_bin, "cattle"), "build", "-color=false", str(template)],
                                cwd=tmp_path, env=dict(os.environ, DOCKER_HOST=f"unix://{relay.path}"),
                                capture_output=True, text=True, timeout=600, check=False)
        assert result.returncode == 0, result.stdout + result.stderr
        agents = sorted(relay.user_agents)
        assert any(agent.startswith("docker-sdk-python") for agent in agents), agents  # the builder
        assert any(agent.startswith("ansible-community.docker") for agent in agents), agents  # the provisioners
        shown = subprocess.run(["docker", "run", "--rm", f"{repository}:v1", "cat", "/relayed"],
                               capture_output=True, text=True, check=False)
        assert shown.stdout == "through the relay\n", shown.stderr
    finally:
        relay.close()
        subprocess.run(["docker", "rmi", "-f", f"{repository}:v1"], capture_output=True, check=False)
