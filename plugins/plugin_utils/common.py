# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small pieces every provisioner and post-processor plugin shares.

Packer's weak typing for values given directly as task arguments,
Go-style durations (Packer prints them the Go way: ``5m0s``), and masking of what Ansible's
Display prints (results are masked with ``template.mask_data``).
"""

from __future__ import annotations

from ansible_collections.cattle.images.plugins.module_utils.durations import format_go_duration, seconds
from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError
from ansible_collections.cattle.images.plugins.module_utils.option_values import to_bool, to_int, to_list
from ansible_collections.cattle.images.plugins.module_utils.template import mask


class UserError(CattleError):
    """A mistake in the user's configuration; the message is shown as is."""


def component_plugin(packer_type):
    """The action plugin implementing a Packer provisioner/post-processor type."""
    return "cattle.images." + str(packer_type).replace("-", "_")


# --- weak typing (Packer's decoder is lenient; the plan already applied it, direct args may not have) ---

def _read(reader, field, value, **options):
    try:
        return reader(field, value, **options)
    except ValueError as exc:
        raise UserError(str(exc)) from None


def as_bool(value, field):
    return False if value is None else _read(to_bool, field, value)


def as_int(value, field):
    return _read(to_int, field, value, expected="an integer")


def as_list(value, field):
    """A list of strings; a comma-separated string becomes a list, as in Packer."""
    return _read(to_list, field, value)


def as_int_list(value, field):
    items = value if isinstance(value, (list, tuple)) else as_list(value, field)
    return [as_int(item, field) for item in items]


def parse_duration(value, field):
    """Seconds (float) from a number of seconds or a Go duration string (``1m30s``)."""
    try:
        return seconds(value)
    except ValueError as exc:
        raise UserError(f"{field}: {exc}") from None


go_duration = format_go_duration


def go_quote(text):
    """Go's ``%q`` for the common cases: double quotes, backslash escapes."""
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def go_int_list(values):
    """Go's ``%v`` of an ``[]int``: ``[0 2]``."""
    return "[" + " ".join(str(v) for v in values) + "]"


class masked_display:  # noqa: N801 - a context manager, used like a function
    """While a component runs in its worker, mask sensitive values in everything Ansible's
    Display prints or logs there: the connection plugins' ``-vvv`` logs show the commands
    they exec (interpolated scripts, environment) and the errors they get.

    In a worker, Display's methods forward their message to the main process before any
    formatting, so each entry point is wrapped (``verbose`` covers ``v`` … ``vvvvvv``).
    """

    ENTRY_POINTS = ("display", "verbose", "debug", "warning", "error")

    def __init__(self, sensitive_values):
        self.sensitive_values = [value for value in sensitive_values or () if value]
        self.display = None
        self.originals = {}

    def __enter__(self):
        if not self.sensitive_values:
            return self
        from ansible.utils.display import Display

        self.display = Display()  # the process's singleton
        for name in self.ENTRY_POINTS:
            original = getattr(self.display, name, None)
            if original is not None:
                # An instance attribute (another wrapper) is put back as it was; a method is just unshadowed.
                self.originals[name] = vars(self.display).get(name)
                setattr(self.display, name, self._masking(original))
        return self

    def _masking(self, original):
        values = self.sensitive_values

        def masked_call(msg, *args, **kwargs):
            return original(mask(msg, values) if isinstance(msg, str) else msg, *args, **kwargs)

        return masked_call

    def __exit__(self, *exc):
        for name, previous in self.originals.items():
            if previous is not None:
                setattr(self.display, name, previous)
            else:
                vars(self.display).pop(name, None)
        self.originals = {}
        return False


def unknown_keys(config, known):
    """Packer's complaint for each option the component does not know (``packer_*`` keys are ignored)."""
    return [f"unknown configuration key: '\"{key}\"'" for key in config
            if key not in known and not key.startswith("packer_")]
