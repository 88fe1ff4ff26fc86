# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The docker-tag post-processor (documentation: plugins/modules/docker_tag.py)."""

from __future__ import annotations

from ansible_collections.cattle.images.plugins.plugin_utils.docker_post_processor import DockerPostProcessorAction


class ActionModule(DockerPostProcessorAction):
    POST_PROCESSOR_TYPE = "docker-tag"
