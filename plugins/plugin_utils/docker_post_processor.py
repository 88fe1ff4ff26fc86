# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Base class of the docker-tag, docker-import, docker-save and docker-push action plugins.

The post-processor path is :class:`PostProcessorAction`'s; the Docker work is
``module_utils/docker/postprocessors.py``. Check mode runs the same code without a client,
so it says what would be tagged, imported, saved or pushed and returns the would-be artifact.
"""

from __future__ import annotations

from ansible_collections.cattle.images.plugins.module_utils.docker import postprocessors
from ansible_collections.cattle.images.plugins.module_utils.docker.client import connect
from ansible_collections.cattle.images.plugins.plugin_utils.post_processor import PostProcessorAction


class DockerPostProcessorAction(PostProcessorAction):
    """Subclasses set only ``POST_PROCESSOR_TYPE``."""

    SECRET_OPTIONS = postprocessors.SECRET_OPTIONS

    def prepare(self, config, context):
        return postprocessors.check_config(self.POST_PROCESSOR_TYPE, config)

    def describe(self, config, context, artifact, ui):
        return self._run(None, config, context, artifact, ui, check_mode=True)

    def post_process(self, config, context, artifact, ui):
        return self._run(connect(), config, context, artifact, ui)

    def _run(self, client, config, context, artifact, ui, check_mode=False):
        return postprocessors.run(self.POST_PROCESSOR_TYPE, client, config, artifact, ui,
                                  force=context.force, cwd=context.cwd, check_mode=check_mode)
