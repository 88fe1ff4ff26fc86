# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Attributes shared by the modules whose code is an action plugin on the controller.

A module still states its own C(check_mode): what it checks differs from one to the next.
"""


class ModuleDocFragment:
    # plan, provision, post_processors, sweep, ask_on_error, communicator: no diff, POSIX controller.
    ACTION_CONTROLLER = r"""
attributes:
  diff_mode:
    support: none
    description: Shows what changed as a diff in C(--diff) mode.
  platform:
    support: full
    platforms: posix
    description: Runs on the Ansible controller (an action plugin), which must be POSIX.
"""
