# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which ``{{ build `Key` }}`` keys a build has: the one list shared by validate (a key outside it is
refused, as Packer 1.6.6 refuses it at prepare) and by the run-time values (plugin_utils/build_data.py).

Every builder has Packer's common keys; a few builders add their own (what their Prepare returns).
"""

from __future__ import annotations

COMMON_KEYS = (
    "ID", "Host", "Port", "User", "Password", "ConnType", "PackerRunUUID",
    "PackerHTTPPort", "PackerHTTPIP", "PackerHTTPAddr", "SSHPublicKey", "SSHPrivateKey", "WinRMPassword",
)

BUILDER_KEYS = {
    "docker": ("ImageSha256",),
    "amazon-ebs": ("SourceAMIName", "BuildRegion", "SourceAMI", "SourceAMICreationDate",
                   "SourceAMIOwner", "SourceAMIOwnerName"),
}


def build_keys(builder_type):
    """Every key ``{{ build }}`` may name in a build of ``builder_type``."""
    return frozenset(COMMON_KEYS + BUILDER_KEYS.get(builder_type, ()))


def missing_key_message(key):
    """Packer's words for a key the build does not have (its spelling kept)."""
    return f"loaded data, but couldnt find {key} in it."
