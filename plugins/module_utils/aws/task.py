# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The amazon-ebs builder's driver for the builder front-end: each ``state`` on the EbsBuild entry points."""

from __future__ import annotations

from ansible_collections.cattle.images.plugins.module_utils.aws.config import SECRET_OPTIONS, normalize
from ansible_collections.cattle.images.plugins.module_utils.builder_frontend import BUILD_ID_ARGUMENT, BuilderDriver


def _begin(step):
    # boto3 is imported only once the config is known to be good.
    from ansible_collections.cattle.images.plugins.module_utils.aws.ebs import EbsBuild

    params = step.params
    step.session = EbsBuild(step.config, step.build_id, step.build_name, ledger=step.ledger,
                            plan_file=params["plan_file"], plan_build=params["build"] or step.build_name,
                            key_dir=params["key_dir"], ui=step.ui)


def _started(step):
    build = step.session
    if step.check_mode:
        build.prevalidate()
        image = build.source_ami()
        build.network()
        data = build.generated_data(image)
        step.result.update(changed=True, generated=dict(data, ID=""), source={
            "region": build.region, "build_id": build.build_id, "instance_id": "", "host": "", "port": 0,
            "generated": data,
        })
        return
    source = build.launch()
    step.result.update(changed=True, source=source,
                       generated=dict(source.get("generated") or {}, ID=source["instance_id"]))


def _captured(step):
    step.result["artifact"] = None
    if step.check_mode:
        step.result["changed"] = bool(step.source.get("instance_id"))
        return
    step.result.update(changed=True, artifact=step.session.capture(step.source))


def _absent(step):
    build = step.session
    if step.check_mode:
        step.result["changed"] = bool(build.build_instances() or build.build_security_groups()
                                      or build.build_key_pairs())
        return
    step.result["changed"] = build.cleanup(step.source)


AMAZON_EBS = BuilderDriver(
    types=("amazon-ebs",),
    states={"started": _started, "captured": _captured, "absent": _absent},
    normalize=lambda raw, step: normalize(raw, where=step.where, cwd=step.cwd, force=step.params["force"]),
    arguments=dict(BUILD_ID_ARGUMENT, force={"type": "bool", "default": False}, key_dir={"type": "path"},
                   source={"type": "dict"}),
    secret_options=SECRET_OPTIONS,
    begin=_begin,
)
