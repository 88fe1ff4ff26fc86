"""Missing means deleted: the one rule of every cleanup, and the table of cleaners that follow it."""

from __future__ import annotations

import pytest

from ansible_collections.cattle.images.plugins.module_utils import cleaners
from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError
from ansible_collections.cattle.images.plugins.module_utils.missing import file_is_missing, missing_means_deleted


class Refused(CattleError):
    pass


def test_a_delete_that_deletes_says_so(tmp_path):
    made = tmp_path / "f"
    made.write_text("x")
    assert missing_means_deleted(made.unlink, file_is_missing) is True
    assert not made.exists()


def test_not_found_is_already_deleted(tmp_path):
    assert missing_means_deleted((tmp_path / "never").unlink, file_is_missing) is False


def test_any_other_failure_is_raised_in_the_users_words(tmp_path):
    def refuse():
        raise PermissionError("EACCES")

    with pytest.raises(Refused, match="could not delete it: EACCES") as raised:
        missing_means_deleted(refuse, file_is_missing, lambda exc: Refused(f"could not delete it: {exc}"))
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    with pytest.raises(PermissionError):
        missing_means_deleted(refuse, file_is_missing)


def test_every_kind_a_build_records_has_a_callable_cleaner():
    kinds = {"docker_container", "docker_commit", "ec2_instance", "ec2_security_group", "ec2_key_pair", "ec2_image",
             "qemu_output_directory", "virtualbox_vm", "virtualbox_output_directory", "process", "ssh_key_dir"}
    assert set(cleaners.CLEANERS) == kinds
    assert all(callable(cleaner) for cleaner in cleaners.CLEANERS.values())
