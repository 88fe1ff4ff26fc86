"""What each provisioner option does, one sentence each, in cattle's words (facts from Packer's docs and source).

``SHARED`` holds options several provisioners have with one meaning (the shell family's
script options, the configuration-management tools' staging options); ``BY_TYPE`` a type's own,
winning where a name means something different.
"""

SHARED = {
    # The shell family (shell, shell-local, powershell, windows-shell).
    "inline": "Commands to run, joined into one script.",
    "script": "Local script to upload and run.",
    "scripts": "Local scripts to upload and run, in order.",
    "environment_vars": "Environment variables for the scripts, each C(KEY=value).",
    "env": "Environment variables for the scripts, as a map (added to C(environment_vars)).",
    "env_var_format": "Format of one variable assignment in the command line, with two C(%s) for name and value.",
    "execute_command": "Command that runs each script; a template with C({{.Path}}) and C({{.Vars}}).",
    "valid_exit_codes": "Exit codes that count as success (default C([0])).",
    "binary": "Upload the scripts as they are, without converting line endings.",
    "remote_path": "Full path on the build host to upload each script to.",
    "start_retry_timeout": "How long to keep retrying a script while the host is unreachable, e.g. rebooting (default C(5m)).",
    "skip_clean": "Leave the uploaded scripts on the build host.",
    "inline_shebang": "Interpreter line put first in the script made from C(inline) (default C(/bin/sh -e)).",
    # Configuration-management provisioners (ansible-local, puppet, chef, salt).
    "staging_directory": "Directory on the build host where the provisioner's files are uploaded.",
    "clean_staging_directory": "Remove the staging directory from the build host afterwards.",
    "prevent_sudo": "Run the tool without C(sudo).",
    "guest_os_type": "Operating system family of the build host, C(unix) or C(windows); picks the default commands.",
    "extra_arguments": "Extra command-line arguments for the tool.",
    "elevated_user": "Windows user to run the command as, with elevated privileges.",
    "elevated_password": "Password of C(elevated_user).",
    "galaxy_file": "Local requirements file C(ansible-galaxy) installs roles and collections from.",
    "galaxy_command": "Command that runs C(ansible-galaxy).",
    "command": "Command that runs the tool.",
    "inventory_file": "Inventory file to use instead of the generated one.",
}

_SHELL = {
    "env_var_format": "Format of one variable assignment, with two C(%s) for name and value (default C(%s='%s' )).",
    "use_env_var_file": "Write the variables to a file sourced by the script instead of the command line.",
    "remote_folder": "Directory on the build host the scripts are uploaded to (default C(/tmp)).",
    "execute_command": "Command that runs each script, a template (default C(chmod +x {{.Path}}; {{.Vars}} {{.Path}})).",
    "remote_file": "File name each script is uploaded as (default C(script_NNNN.sh)).",
    "expect_disconnect": "Count a lost connection while the script runs (e.g. a reboot) as success.",
    "pause_after": "Wait this long after the scripts before the next provisioner.",
}

_SHELL_LOCAL = {
    "command": "One command to run on the controller (instead of C(inline) or scripts).",
    "inline": "Commands to run on the controller, joined into one script.",
    "script": "Local script to run on the controller.",
    "scripts": "Local scripts to run on the controller, in order.",
    "execute_command": "Command line that runs each script, as a list of templates (default C([\"/bin/sh\", \"-c\", \"{{.Vars}} {{.Script}}\"]))).",
    "only_on": "Operating systems (C(linux), C(darwin) ...) to run on; elsewhere it is skipped.",
    "use_linux_pathing": "On Windows, pass script paths in Linux form (for the Windows Subsystem for Linux).",
    "tempfile_extension": "File extension of the temporary script.",
}

_FILE = {
    "source": "Path of the file or directory to copy (on the controller for an upload, the host for a download).",
    "sources": "Several files or directories to copy into C(destination).",
    "destination": "Where to copy to; a trailing C(/) means into that directory.",
    "direction": "C(upload) (the default) to the build host or C(download) from it.",
    "generated": "The source is made by an earlier step, so it need not exist at validate time.",
    "content": "Text to write to C(destination) (instead of a source file).",
}

_POWERSHELL = {
    "execute_command": "Command that runs each script, a template with C({{.Path}}) and C({{.Vars}}) (default: C(powershell) with the execution policy).",
    "elevated_execute_command": "Command that runs each script for C(elevated_user).",
    "execution_policy": "PowerShell execution policy for the scripts (default C(bypass); C(none) drops the C(powershell) wrapper).",
    "remote_path": "Path on the build host each script is uploaded to (default C(c:/Windows/Temp/script-<uuid>.ps1)).",
    "remote_env_var_path": "Path on the build host of the file the variables are written to.",
    "debug_mode": "PowerShell C(Set-PSDebug -Trace) level (0 off, 1 lines, 2 lines and variables).",
    "use_pwsh": "Run the scripts with C(pwsh) (PowerShell Core) instead of C(powershell).",
    "elevated_env_var_format": "Variable assignment format for scripts run as C(elevated_user).",
    "env_var_format": "Format of one variable assignment, with two C(%s) for name and value (default C($env:%s=\"%s\"; )).",
}

_WINDOWS_RESTART = {
    "restart_command": "Command that restarts the build host (default C(shutdown /r /f /t 0 /c \"packer restart\")).",
    "restart_check_command": "Command whose success shows the host is back up.",
    "restart_timeout": "How long to wait for the host to come back (default C(5m)).",
    "check_registry": "Also wait until the registry keys of pending restarts are gone.",
    "registry_keys": "Registry keys that, while present, mean a restart is still pending (default Windows servicing's).",
}

_ANSIBLE = {
    "playbook_file": "Local playbook to run against the build host.",
    "command": "Command that runs the playbook (default C(ansible-playbook)).",
    "extra_arguments": "Extra C(ansible-playbook) arguments.",
    "ansible_env_vars": "Environment variables for C(ansible-playbook), each C(KEY=value).",
    "ansible_ssh_extra_args": "Extra arguments for Ansible's SSH connection to Packer's proxy; accepted and ignored.",
    "groups": "Inventory groups to put the build host in.",
    "empty_groups": "Inventory groups to create without hosts.",
    "host_alias": "Name of the build host in the inventory (default C(default)).",
    "galaxy_file": "Local requirements file C(ansible-galaxy) installs from; without a reachable Galaxy server it must name local archives.",
    "user": "User Ansible connects as (default the communicator's user).",
    "local_port": "Port of Packer's local SSH proxy; accepted and ignored.",
    "ssh_host_key_file": "Host key file of Packer's SSH proxy; accepted and ignored.",
    "ssh_authorized_key_file": "Public key file Packer's SSH proxy accepts; accepted and ignored.",
    "sftp_command": "SFTP command of Packer's SSH proxy; accepted and ignored.",
    "use_sftp": "SFTP instead of SCP through Packer's SSH proxy; accepted and ignored.",
    "skip_version_check": "Do not run C(ansible --version) before the playbook.",
    "inventory_directory": "Directory to write the generated inventory into.",
    "inventory_file": "Inventory file to use instead of the generated one.",
    "inventory_file_template": "Template of the generated inventory's content; accepted and ignored.",
    "keep_inventory_file": "Keep the generated inventory file afterwards.",
    "galaxy_force_install": "Reinstall Galaxy roles and collections that are already there.",
    "roles_path": "Where C(ansible-galaxy) installs roles.",
    "collections_path": "Where C(ansible-galaxy) installs collections.",
    "use_proxy": "Packer's local SSH proxy switch; accepted and ignored (cattle connects through the build's own connection).",
    "max_retries": "How many times to re-run a failing playbook.",
}

_ANSIBLE_LOCAL = {
    "playbook_file": "Local playbook to upload and run on the build host.",
    "playbook_files": "Several local playbooks to upload and run in order.",
    "playbook_dir": "Local directory uploaded as the staging directory itself, holding the playbook and what it uses.",
    "playbook_paths": "Local directories of further playbooks to upload.",
    "role_paths": "Local role directories to upload (to C(<staging>/roles/<name>)).",
    "group_vars": "Local C(group_vars) directory to upload.",
    "host_vars": "Local C(host_vars) directory to upload.",
    "inventory_groups": "Groups the build host belongs to in the generated inventory.",
    "command": "Command that runs the playbook on the build host (default C(ANSIBLE_FORCE_COLOR=1 PYTHONUNBUFFERED=1 ansible-playbook)).",
    "galaxy_roles_path": "Where C(ansible-galaxy) installs roles on the build host.",
    "galaxy_collections_path": "Where C(ansible-galaxy) installs collections on the build host.",
}

_TESTINFRA = {
    "tests": "Local testinfra test files or directories to run against the build host.",
    "environment_vars": "Environment variables for pytest, each C(KEY=value).",
    "extra_arguments": "Extra pytest arguments.",
    "junit_xml": "Local path to write a JUnit XML report to.",
}

_PUPPET = {
    "manifest_file": "Local manifest (or directory of manifests) to apply.",
    "staging_directory": "Directory on the build host where the files are uploaded (default C(/tmp/packer-puppet-masterless)).",
    "guest_os_type": "Operating system family of the build host; only C(unix) is supported.",
    "manifest_dir": "Local directory of manifests to upload.",
    "module_paths": "Local module directories to upload and put on the module path.",
    "hiera_config_path": "Local Hiera configuration file to upload.",
    "execute_command": "Command that runs C(puppet apply); a template.",
    "facter": "Extra facts for the run, as a map.",
    "ignore_exit_codes": "Do not fail on Puppet's exit codes.",
    "working_directory": "Directory C(puppet apply) runs in (default the staging directory).",
    "puppet_bin_dir": "Directory of the C(puppet) executable on the build host.",
    "elevated_user": "Windows user to run Puppet as, with elevated privileges.",
}

_CHEF_SOLO = {
    "chef_environment": "Chef environment to run in.",
    "staging_directory": "Directory on the build host where the files are uploaded (default C(/tmp/packer-chef-solo)).",
    "guest_os_type": "Operating system family of the build host; only C(unix) is supported.",
    "chef_license": "Answer to Chef's license prompt (C(accept), C(accept-silent) ...).",
    "config_template": "Local template of the C(solo.rb) configuration file.",
    "cookbook_paths": "Local cookbook directories to upload.",
    "data_bags_path": "Local data bags directory to upload.",
    "encrypted_data_bag_secret_path": "Local file with the secret of encrypted data bags.",
    "environments_path": "Local environments directory to upload.",
    "execute_command": "Command that runs C(chef-solo); a template.",
    "install_command": "Command that installs Chef on the build host.",
    "json": "Node attributes given to the run, as JSON.",
    "remote_cookbook_paths": "Cookbook directories already on the build host.",
    "roles_path": "Local roles directory to upload.",
    "run_list": "Recipes and roles to run.",
    "skip_install": "Assume Chef is already installed.",
    "version": "Chef version to install.",
}

_SALT = {
    "skip_bootstrap": "Assume Salt is already installed instead of running the bootstrap script.",
    "guest_os_type": "Operating system family of the build host; only C(unix) is supported.",
    "bootstrap_args": "Arguments of the Salt bootstrap script.",
    "disable_sudo": "Run Salt without C(sudo).",
    "custom_state": "State to apply instead of the highstate.",
    "minion_config": "Local minion configuration file to upload.",
    "grains_file": "Local grains file to upload.",
    "local_state_tree": "Local directory of Salt states to upload.",
    "local_pillar_roots": "Local directory of pillars to upload.",
    "remote_state_tree": "Where the states go on the build host.",
    "remote_pillar_roots": "Where the pillars go on the build host.",
    "temp_config_dir": "Temporary directory on the build host for uploaded files (default C(/tmp/salt)).",
    "no_exit_on_failure": "Do not fail when the Salt run fails.",
    "log_level": "Log level of C(salt-call) (default C(info)).",
    "salt_call_args": "Extra C(salt-call) arguments.",
    "salt_bin_dir": "Directory of the Salt executables on the build host.",
    "formulas": "Git URLs of Salt formulas; refused, as fetching them needs network on the controller.",
}

BY_TYPE = {
    "shell": _SHELL,
    "shell-local": _SHELL_LOCAL,
    "file": _FILE,
    "powershell": _POWERSHELL,
    "windows-shell": {
        "execute_command": "Command that runs each script (default C({{ .Vars }}\"{{ .Path }}\")).",
        "env_var_format": "Format of one variable assignment (default C(set \"%s=%s\" && )).",
        "remote_path": "Path on the build host the script is uploaded to (default C(c:/Windows/Temp/script.bat)).",
    },
    "windows-restart": _WINDOWS_RESTART,
    "ansible": _ANSIBLE,
    "ansible-local": _ANSIBLE_LOCAL,
    "breakpoint": {"disable": "Skip the pause.", "note": "Text shown while the build waits."},
    "sleep": {"duration": "How long to pause the build (in a template a bare number is nanoseconds, as in Packer)."},
    "testinfra": _TESTINFRA,
    "puppet-masterless": _PUPPET,
    "chef-solo": _CHEF_SOLO,
    "salt-masterless": _SALT,
}
