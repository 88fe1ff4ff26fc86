"""Provisioner option schemas (Packer 1.6.6, plus 1.7-1.9 additions noted in the reference)."""

_SHELL_COMMON = {
    "inline": "list", "script": "str", "scripts": "list", "environment_vars": "list", "execute_command": "str",
    "valid_exit_codes": "intlist", "binary": "bool", "remote_path": "str", "start_retry_timeout": "duration",
    "skip_clean": "bool",
}
_SCRIPT_FILES = {"script": "file", "scripts": "file"}
_SCRIPT_CHOICE = [("inline", "script", "scripts")]

PROVISIONERS = {
    "shell": {
        "options": {
            **_SHELL_COMMON, "env_var_format": "str", "use_env_var_file": "bool", "inline_shebang": "str",
            "remote_folder": "str", "remote_file": "str", "expect_disconnect": "bool", "pause_after": "duration",
            "env": "map",
        },
        "one_of": _SCRIPT_CHOICE,
        "files": _SCRIPT_FILES,
        "runtime": ("execute_command",),
        "key_value_lists": ("environment_vars",),
        "plugin_id": "shell",
    },
    "shell-local": {
        "options": {
            "command": "str", "inline": "list", "script": "str", "scripts": "list", "environment_vars": "list",
            "env_var_format": "str", "execute_command": "list", "inline_shebang": "str", "only_on": "list",
            "use_linux_pathing": "bool", "valid_exit_codes": "intlist", "tempfile_extension": "str", "env": "map",
        },
        "one_of": [("command", "inline", "script", "scripts")],
        "files": _SCRIPT_FILES,
        "runtime": ("execute_command",),
        "key_value_lists": ("environment_vars",),
    },
    "file": {
        "options": {"source": "str", "sources": "list", "destination": "str", "direction": "str",
                    "generated": "bool", "content": "str"},
        "required": ("destination",),
        "one_of": [("source", "sources", "content")],
        "enums": {"direction": ("upload", "download")},
        "files": {"source": "path", "sources": "path"},
        "files_unless": ("generated", "direction=download"),
        "plugin_id": "file",
    },
    "powershell": {
        "options": {
            **_SHELL_COMMON, "elevated_user": "str", "elevated_password": "str", "elevated_execute_command": "str",
            "execution_policy": "str", "remote_env_var_path": "str", "debug_mode": "int", "env": "map",
            "use_pwsh": "bool", "env_var_format": "str", "elevated_env_var_format": "str",
        },
        "one_of": _SCRIPT_CHOICE,
        "files": _SCRIPT_FILES,
        "key_value_lists": ("environment_vars",),
        "plugin_id": "powershell",
        "runtime": ("execute_command", "elevated_execute_command"),
        "enums": {"execution_policy": ("bypass", "allsigned", "default", "remotesigned", "restricted",
                                       "undefined", "unrestricted", "none")},
    },
    "windows-shell": {
        "options": {**_SHELL_COMMON, "env": "map", "env_var_format": "str"},
        "one_of": _SCRIPT_CHOICE,
        "files": _SCRIPT_FILES,
        "key_value_lists": ("environment_vars",),
        "plugin_id": "windows-shell",
        "runtime": ("execute_command",),
    },
    "windows-restart": {
        "options": {"restart_command": "str", "restart_check_command": "str", "restart_timeout": "duration",
                    "check_registry": "bool", "registry_keys": "list"},
        "plugin_id": "windows-restart",
    },
    "ansible": {
        "options": {
            "playbook_file": "str", "command": "str", "extra_arguments": "list", "ansible_env_vars": "list",
            "ansible_ssh_extra_args": "list", "groups": "list", "empty_groups": "list", "host_alias": "str",
            "user": "str", "local_port": "int", "ssh_host_key_file": "str", "ssh_authorized_key_file": "str",
            "sftp_command": "str", "use_sftp": "bool", "skip_version_check": "bool", "inventory_directory": "str",
            "inventory_file": "str", "inventory_file_template": "str", "keep_inventory_file": "bool",
            "galaxy_file": "str", "galaxy_command": "str", "galaxy_force_install": "bool", "roles_path": "str",
            "collections_path": "str", "use_proxy": "trilean", "max_retries": "int",
        },
        "required": ("playbook_file",),
        "files": {"playbook_file": "file", "galaxy_file": "file", "ssh_host_key_file": "file",
                  "ssh_authorized_key_file": "file", "inventory_directory": "dir"},
        "runtime": ("inventory_file_template",),
        "plugin_id": "ansible",
    },
    "ansible-local": {
        "options": {
            "playbook_file": "str", "playbook_files": "list", "playbook_dir": "str", "playbook_paths": "list",
            "role_paths": "list", "group_vars": "str", "host_vars": "str", "inventory_file": "str",
            "inventory_groups": "list", "galaxy_file": "str", "galaxy_command": "str", "command": "str",
            "extra_arguments": "list", "staging_directory": "str", "clean_staging_directory": "bool",
            "galaxy_roles_path": "str", "galaxy_collections_path": "str",
        },
        "one_of": [("playbook_file", "playbook_files")],
        "files": {"playbook_file": "file", "playbook_files": "file", "playbook_dir": "dir", "playbook_paths": "dir",
                  "role_paths": "dir", "group_vars": "dir", "host_vars": "dir", "inventory_file": "file",
                  "galaxy_file": "file"},
        "exclusive": [("playbook_dir", "playbook_files")],
        "implemented": False,
        "plugin_id": "ansible-local",
    },
    "breakpoint": {"options": {"disable": "bool", "note": "str"}, "plugin_id": "breakpoint"},
    "puppet-masterless": {
        "options": {
            "manifest_file": "str", "manifest_dir": "str", "module_paths": "list", "hiera_config_path": "str",
            "execute_command": "str", "guest_os_type": "str", "extra_arguments": "list", "facter": "map",
            "ignore_exit_codes": "bool", "prevent_sudo": "bool", "staging_directory": "str",
            "working_directory": "str", "puppet_bin_dir": "str", "elevated_user": "str",
            "elevated_password": "str",
        },
        "required": ("manifest_file",),
        "files": {"manifest_file": "path", "manifest_dir": "dir", "module_paths": "dir", "hiera_config_path": "file"},
        "runtime": ("execute_command",),
        "implemented": False,
        "plugin_id": "puppet-masterless",
    },
    "chef-solo": {
        "options": {
            "chef_environment": "str", "chef_license": "str", "config_template": "str", "cookbook_paths": "list",
            "data_bags_path": "str", "encrypted_data_bag_secret_path": "str", "environments_path": "str",
            "execute_command": "str", "install_command": "str", "json": "map_any", "prevent_sudo": "bool",
            "remote_cookbook_paths": "list", "roles_path": "str", "run_list": "list", "skip_install": "bool",
            "staging_directory": "str", "guest_os_type": "str", "version": "str", "policyfile_name": "str",
            "policy_group": "str",
        },
        "files": {"config_template": "file", "cookbook_paths": "dir", "data_bags_path": "dir",
                  "encrypted_data_bag_secret_path": "file", "environments_path": "dir", "roles_path": "dir"},
        "runtime": ("execute_command", "install_command"),
        "implemented": False,
        "plugin_id": "chef-solo",
    },
}
