"""windows-restart's defaults are Packer's."""

from __future__ import annotations

import base64

from ansible_collections.cattle.images.plugins.action.windows_restart import (
    ABORT_REBOOT,
    DEFAULT_RESTART_CHECK_COMMAND,
    DEFAULT_RESTART_COMMAND,
    TRY_CHECK_REBOOT,
)


def test_defaults():
    assert DEFAULT_RESTART_COMMAND == 'shutdown /r /f /t 0 /c "packer restart"'
    assert TRY_CHECK_REBOOT == 'shutdown /r /f /t 60 /c "packer restart test"' and ABORT_REBOOT == "shutdown /a"
    prefix = "powershell.exe -EncodedCommand "
    assert DEFAULT_RESTART_CHECK_COMMAND.startswith(prefix)
    script = base64.b64decode(DEFAULT_RESTART_CHECK_COMMAND[len(prefix):]).decode("utf-16-le")
    assert script == 'echo ("{0} restarted." -f [System.Net.Dns]::GetHostName())'
