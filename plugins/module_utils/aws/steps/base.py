# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every amazon-ebs step shares: the step's shape, the tags and ledger kinds, runtime templates."""

from __future__ import annotations

from ansible_collections.cattle.images.plugins.module_utils.aws.client import AwsError

TAG_BUILD_ID = "cattle.build_id"
# The run that made a resource (orphans.run_tag): lets a sweep tell a dead run's leftovers when no ledger lists them.
TAG_RUN = "cattle.run"
KIND_INSTANCE = "ec2_instance"
KIND_KEY_PAIR = "ec2_key_pair"
KIND_SECURITY_GROUP = "ec2_security_group"
KIND_IMAGE = "ec2_image"


class Step:
    """One step of an amazon-ebs build, as in Packer.

    ``run(state)`` does the step's work and writes what later steps (and capture, and cleanup)
    need into ``state``, the ``source`` dict the launch returns. ``cleanup(state)`` removes what
    ``run`` made, deleting by the ids in ``state`` (else the ids this build's ledger entries
    hold, else what carries the build's tag), and returns whether it removed anything. Missing
    means deleted, so a cleanup may run any number of times. After a crash a ledger entry is all
    that is left: :meth:`state_of` turns the entry of the step's ``kind`` back into the state its
    cleanup needs, and that same cleanup removes the resource (``aws/cleanup.py``).
    """

    kind = ""  # the ledger kind of what run makes; "" for a step that makes nothing

    def __init__(self, build):
        self.build = build
        self.config = build.config

    def run(self, state):
        raise NotImplementedError

    def cleanup(self, state):  # pylint: disable=unused-argument
        return False

    @staticmethod
    def state_of(entry):  # pylint: disable=unused-argument
        """The state :meth:`cleanup` needs, from a ledger entry of :attr:`kind`."""
        return {}


def render(text, data):
    """``{{ .SourceAMI }}`` and friends; a bad template is the user's error, said plainly."""
    from ansible_collections.cattle.images.plugins.module_utils.template import TemplateErrors, render_runtime

    try:
        return render_runtime(text, data)
    except TemplateErrors as exc:
        details = "; ".join(d.message for d in exc.diagnostics) or str(exc)
        raise AwsError(f"cannot render {text!r}: {details}") from None


def render_tags(tags, data):
    return {render(key, data): render(value, data) for key, value in tags.items()}


def tag_filter(build_id, name_key=None, name=None):
    """The describe filter for a build's resources (optionally only the one named ``name``)."""
    filters = [{"Name": f"tag:{TAG_BUILD_ID}", "Values": [build_id]}]
    if name:
        filters.append({"Name": name_key, "Values": [name]})
    return filters
