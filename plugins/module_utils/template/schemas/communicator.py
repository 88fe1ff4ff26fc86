"""Communicator options shared by every builder (Packer's communicator.Config)."""

SSH_OPTIONS = {
    "ssh_host": "str", "ssh_port": "int", "ssh_username": "str", "ssh_password": "str",
    "ssh_keypair_name": "str", "temporary_key_pair_name": "str", "temporary_key_pair_type": "str",
    "temporary_key_pair_bits": "int", "ssh_ciphers": "list", "ssh_clear_authorized_keys": "bool",
    "ssh_key_exchange_algorithms": "list", "ssh_private_key_file": "str", "ssh_certificate_file": "str",
    "ssh_pty": "bool", "ssh_timeout": "duration", "ssh_wait_timeout": "duration", "ssh_agent_auth": "bool",
    "ssh_disable_agent_forwarding": "bool", "ssh_handshake_attempts": "int", "ssh_bastion_host": "str",
    "ssh_bastion_port": "int", "ssh_bastion_agent_auth": "bool", "ssh_bastion_username": "str",
    "ssh_bastion_password": "str", "ssh_bastion_interactive": "bool", "ssh_bastion_private_key_file": "str",
    "ssh_bastion_certificate_file": "str", "ssh_file_transfer_method": "str", "ssh_proxy_host": "str",
    "ssh_proxy_port": "int", "ssh_proxy_username": "str", "ssh_proxy_password": "str",
    "ssh_keep_alive_interval": "duration", "ssh_read_write_timeout": "duration",
    "ssh_remote_tunnels": "list", "ssh_local_tunnels": "list", "ssh_public_key": "str", "ssh_private_key": "str",
}

WINRM_OPTIONS = {
    "winrm_username": "str", "winrm_password": "str", "winrm_host": "str", "winrm_no_proxy": "bool",
    "winrm_port": "int", "winrm_timeout": "duration", "winrm_use_ssl": "bool", "winrm_insecure": "bool",
    "winrm_use_ntlm": "bool",
}

COMMUNICATOR_OPTIONS = {"communicator": "str", "pause_before_connecting": "duration", **SSH_OPTIONS, **WINRM_OPTIONS}

COMMUNICATOR_TYPES = ("ssh", "winrm", "none")
DOCKER_COMMUNICATOR_TYPES = ("docker", "dockerWindowsContainer")
