"""What cattle's own builders can run: their config checks, asked at validate time.

A template Packer 1.6.6 accepts may still use a builder option cattle's builder does not
offer (yet). Each builder module checks its config when the build starts; asking the same
check here makes `validate` refuse such a template before anything starts, in the builder's
own words, instead of the build failing later. It runs only for a builder whose config
passed Packer's checks, so a problem is never reported twice.
"""

from __future__ import annotations


def _qemu(config, name, cwd, force):
    from ..qemu import config as qemu

    return qemu.normalize, dict(build_name=name, cwd=cwd, force=force), qemu.ConfigError


def _virtualbox(builder_type):
    def check(config, name, cwd, force):
        from ..virtualbox import config as vbox

        return vbox.normalize, dict(builder_type=builder_type, build_name=name, cwd=cwd, force=force), vbox.ConfigError

    return check


def _docker(config, name, cwd, force):
    from ..docker import config as docker

    return docker.normalize, dict(cwd=cwd), docker.ConfigError


def _amazon(config, name, cwd, force):
    from ..aws import config as aws

    return aws.normalize, dict(cwd=cwd, force=force), aws.ConfigError


_BUILDERS = {"qemu": _qemu, "virtualbox-iso": _virtualbox("virtualbox-iso"),
             "virtualbox-ovf": _virtualbox("virtualbox-ovf"), "docker": _docker, "amazon-ebs": _amazon}


def builder_problems(builder_type: str, config: dict, name: str, cwd: str, force: bool) -> list[str]:
    """The problems cattle's builder of this type finds in a (Packer-valid) plan config."""
    lookup = _BUILDERS.get(builder_type)
    if lookup is None:
        return []
    normalize, kwargs, error = lookup(config, name, cwd, force)
    try:
        normalize(dict(config), **kwargs)
    except error as exc:
        return list(exc.problems)
    return []
