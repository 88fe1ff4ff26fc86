# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The two options that name one build of a plan, for the modules that run a planned build's steps."""


class ModuleDocFragment:
    # provision and post_processors: both required, unlike the components' defaults from cattle_build.
    DOCUMENTATION = r"""
options:
  plan_file:
    description: The plan written by M(cattle.images.plan).
    type: path
    required: true
  build:
    description: The build's name.
    type: str
    required: true
"""
