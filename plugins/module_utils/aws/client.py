# -*- coding: utf-8 -*-
# Copyright: cattle.images developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""EC2 clients for a build, and AWS failures turned into one-paragraph messages.

Credentials come from the builder's ``access_key``/``secret_key``/``token``/``profile`` /
``shared_credentials_file`` when set, else from boto3's own chain (environment, shared
files, instance metadata). The endpoint is ``custom_endpoint_ec2`` when set, else whatever
boto3 reads from ``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_EC2``. Credentials are never part
of a message. Everything here raises :class:`AwsError`, whose text is for the user as is.
"""

from __future__ import annotations

import os
import time
from collections import namedtuple

from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError
from ansible_collections.cattle.images.plugins.module_utils.missing import missing_means_deleted

try:
    import boto3
    import botocore.config
    import botocore.exceptions

    HAS_BOTO3 = True
    BOTO3_IMPORT_ERROR = None
except ImportError as exc:  # the module reports it; the import must not crash AnsiballZ
    HAS_BOTO3 = False
    BOTO3_IMPORT_ERROR = str(exc)

# Packer's default for the builder's max_retries (AWS API retries on throttling and 5xx).
DEFAULT_MAX_RETRIES = 10


class AwsError(CattleError):
    """An AWS operation failed; ``str()`` is a one-paragraph message for the user."""


def require_boto3():
    if not HAS_BOTO3:
        raise AwsError(
            "The AWS SDK for Python ('boto3' package) is not installed for the Python running this task "
            f"({BOTO3_IMPORT_ERROR}); install it with 'pip install boto3'."
        )


def endpoint_url(config):
    """The EC2 endpoint in use, for messages and for the ledger (so a sweep reaches the same API)."""
    return (
        (config or {}).get("custom_endpoint_ec2")
        or os.environ.get("AWS_ENDPOINT_URL_EC2")
        or os.environ.get("AWS_ENDPOINT_URL")
        or ""
    )


def session(config):
    """A boto3 session with the builder's credentials, or boto3's chain when it gives none."""
    require_boto3()
    config = config or {}
    kwargs = {}
    if config.get("access_key") or config.get("secret_key"):
        kwargs["aws_access_key_id"] = config.get("access_key") or None
        kwargs["aws_secret_access_key"] = config.get("secret_key") or None
        if config.get("token"):
            kwargs["aws_session_token"] = config["token"]
    elif config.get("profile"):
        kwargs["profile_name"] = config["profile"]
    if config.get("region"):
        kwargs["region_name"] = config["region"]
    try:
        if config.get("shared_credentials_file"):
            import botocore.session

            core = botocore.session.Session()
            core.set_config_variable("credentials_file", os.path.expanduser(config["shared_credentials_file"]))
            kwargs["botocore_session"] = core
        return boto3.session.Session(**kwargs)
    except botocore.exceptions.ProfileNotFound:
        raise AwsError(
            f"profile: the AWS profile {config.get('profile')!r} is not in the shared config or credentials "
            "files (~/.aws/config, ~/.aws/credentials, or AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE)."
        ) from None
    except botocore.exceptions.BotoCoreError as exc:
        raise AwsError(f"Cannot set up an AWS session: {exc}") from None


def ec2_client(config, region=None, aws_session=None):
    """An EC2 client for ``region`` (default: the builder's ``region``) with Packer's retry count."""
    require_boto3()
    config = config or {}
    region = region or config.get("region")
    if not region:
        raise AwsError("region: an AWS region is required (for example \"region\": \"us-east-1\").")
    retries = config.get("max_retries")
    retries = DEFAULT_MAX_RETRIES if retries in (None, 0, "") else int(retries)
    client_config = botocore.config.Config(
        retries={"max_attempts": max(retries, 1), "mode": "standard"},
        user_agent_extra="cattle.images",
    )
    kwargs = {"region_name": region, "config": client_config}
    if config.get("custom_endpoint_ec2"):
        kwargs["endpoint_url"] = config["custom_endpoint_ec2"]
    if config.get("insecure_skip_tls_verify"):
        kwargs["verify"] = False
    try:
        return (aws_session or session(config)).client("ec2", **kwargs)
    except botocore.exceptions.BotoCoreError as exc:
        raise AwsError(f"Cannot create an EC2 client for {region}: {exc}") from None


# --- eventual consistency ----------------------------------------------------------------

# EC2 is eventually consistent: right after a create, calls naming the new resource can answer
# NotFound for a while. botocore's retries cover throttling and 5xx only, so the calls Packer
# retries say so with one of these policies: which codes, how many tries, a doubling delay
# from ``initial`` up to ``maximum`` seconds (Packer's retry.Backoff, same numbers).
RetryPolicy = namedtuple("RetryPolicy", "codes tries initial maximum")

# Packer's waitUntilSecurityGroupExists before AuthorizeSecurityGroupIngress.
GROUP_VISIBLE = RetryPolicy(("InvalidGroup.NotFound",), 40, 1, 15)
# Packer's StepStopEBSBackedInstance: "up to about 5 minutes".
INSTANCE_VISIBLE = RetryPolicy(("InvalidInstanceID.NotFound",), 6, 10, 60)
# Packer's StepCreateTags (and its image/snapshot lookups): "about 2.5 minutes".
IMAGE_VISIBLE = RetryPolicy(("InvalidAMIID.NotFound", "InvalidAMIID.Unavailable", "InvalidSnapshot.NotFound"),
                            11, 0.2, 30)

# Deleting by a recorded id: NotFound may be EC2 lagging behind the create, or the resource really
# gone; this many NotFound answers in a row mean gone (about 15 seconds).
CONFIRM_GONE = RetryPolicy(("InvalidInstanceID.NotFound", "InvalidGroup.NotFound"), 5, 1, 8)


def eventually(operation, policy, sleep=time.sleep):
    """``operation()``, tried again while it fails with one of ``policy.codes`` (up to ``policy.tries`` times).

    A waiter that gives up on such an error (its last response carries the code) counts too.
    Any other failure, or the last one, is raised as it is.
    """
    delay = policy.initial
    for attempt in range(1, policy.tries + 1):
        try:
            return operation()
        except Exception as exc:  # noqa: BLE001
            if attempt == policy.tries or _failure_code(exc) not in policy.codes:
                raise
        sleep(min(delay, policy.maximum))
        delay *= 2
    raise AssertionError("unreachable")  # pragma: no cover


def _failure_code(exc):
    if HAS_BOTO3 and isinstance(exc, botocore.exceptions.WaiterError):
        return ((getattr(exc, "last_response", None) or {}).get("Error") or {}).get("Code") or ""
    return error_code(exc)


# --- polling ----------------------------------------------------------------------------


class Polling:
    """``aws_polling`` {delay_seconds, max_attempts}, or Packer's env overrides, or the waiter's own."""

    def __init__(self, delay_seconds=None, max_attempts=None):
        self.delay_seconds = delay_seconds
        self.max_attempts = max_attempts

    @classmethod
    def from_config(cls, config):
        polling = (config or {}).get("aws_polling") or {}
        delay = polling.get("delay_seconds") or os.environ.get("AWS_POLL_DELAY_SECONDS")
        attempts = polling.get("max_attempts") or os.environ.get("AWS_MAX_ATTEMPTS")
        try:
            return cls(int(delay) if delay else None, int(attempts) if attempts else None)
        except (TypeError, ValueError):
            raise AwsError(
                "aws_polling: delay_seconds and max_attempts must be whole numbers "
                f"(got delay_seconds={delay!r}, max_attempts={attempts!r})."
            ) from None

    def overridden(self):
        return bool(self.delay_seconds or self.max_attempts)

    def or_max_attempts(self, attempts):
        """This polling, or the waiter's own delay with ``attempts`` when nothing was overridden."""
        return self if self.overridden() else Polling(None, attempts)

    def waiter_config(self):
        config = {}
        if self.delay_seconds:
            config["Delay"] = self.delay_seconds
        if self.max_attempts:
            config["MaxAttempts"] = self.max_attempts
        return config


def wait(client, waiter_name, polling, what, retry=None, sleep=time.sleep, **kwargs):
    """Wait with a boto3 waiter; a timeout or failure says what we waited for and how long.

    ``retry``: a :class:`RetryPolicy` for the NotFound answers of a resource just made, which
    boto3's waiters (image_available, instance_stopped) take for a failure.
    """
    waiter = client.get_waiter(waiter_name)
    try:
        if retry:
            eventually(lambda: waiter.wait(WaiterConfig=polling.waiter_config(), **kwargs), retry, sleep)
        else:
            waiter.wait(WaiterConfig=polling.waiter_config(), **kwargs)
    except botocore.exceptions.WaiterError as exc:
        last = getattr(exc, "last_response", None) or {}
        if "Error" in last:
            detail = f"{last['Error'].get('Code')}: {last['Error'].get('Message')}"
        else:
            detail = str(exc.kwargs.get("reason") or exc)
        config = waiter.config
        delay = polling.delay_seconds or config.delay
        attempts = polling.max_attempts or config.max_attempts
        raise AwsError(
            f"Error waiting for {what}: {detail} (polled every {delay}s, {attempts} attempts; raise them with "
            "the builder's aws_polling {\"delay_seconds\", \"max_attempts\"} if the operation is just slow)."
        ) from None
    except Exception as exc:  # noqa: BLE001
        raise AwsError(explain(exc, f"wait for {what}")) from None


# --- errors -----------------------------------------------------------------------------


def error_code(exc):
    if HAS_BOTO3 and isinstance(exc, botocore.exceptions.ClientError):
        return (exc.response.get("Error") or {}).get("Code") or ""
    return ""


def is_not_found(exc):
    code = error_code(exc)
    return code.endswith(".NotFound") or code.endswith("NotFound") or code in ("InvalidGroup.NotFound",)


def delete_or_gone(delete, action):
    """One EC2 delete call, where NotFound means deleted already: True when it deleted, False when gone.

    Any other failure raises an :class:`AwsError` saying ``action``.
    """
    return missing_means_deleted(delete, is_not_found, lambda exc: AwsError(explain(exc, action)))


def explain(exc, action):
    """A one-paragraph message for an exception raised by boto3 while doing ``action``."""
    if isinstance(exc, AwsError):
        return str(exc)
    if not HAS_BOTO3:
        return f"Could not {action}: {exc}"
    if isinstance(exc, botocore.exceptions.ClientError):
        error = exc.response.get("Error") or {}
        code = error.get("Code") or "Error"
        message = _first_line(error.get("Message") or str(exc))
        hint = _HINTS.get(code, "")
        return f"AWS could not {action}: {code}: {message}{hint}"
    if isinstance(exc, (botocore.exceptions.NoCredentialsError, botocore.exceptions.PartialCredentialsError)):
        return (
            f"Could not {action}: no usable AWS credentials. Set access_key and secret_key (or profile) in the "
            "builder, or provide them the usual way (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, AWS_PROFILE, "
            "~/.aws/credentials, an instance role)."
        )
    if isinstance(exc, botocore.exceptions.NoRegionError):
        return f"Could not {action}: no AWS region; set region in the builder."
    if isinstance(exc, (botocore.exceptions.EndpointConnectionError, botocore.exceptions.ConnectionError)):
        return (
            f"Could not {action}: cannot reach the EC2 API ({_first_line(exc)}). Check the network, the region, "
            "and custom_endpoint_ec2 / AWS_ENDPOINT_URL if you use one."
        )
    if isinstance(exc, botocore.exceptions.BotoCoreError):
        return f"Could not {action}: {_first_line(exc)}"
    return f"Could not {action}: {type(exc).__name__}: {_first_line(exc)}"


_HINTS = {
    "AuthFailure": " (the credentials were refused: check access_key/secret_key/token or the profile).",
    "UnauthorizedOperation": " (these credentials may not do this; check the IAM policy).",
    "InvalidClientTokenId": " (the access key is not known to AWS).",
    "SignatureDoesNotMatch": " (the secret key does not match the access key).",
    "ExpiredToken": " (the session token has expired; get a fresh one).",
    "RequestExpired": " (the request expired; is this machine's clock right?).",
}


def _first_line(value):
    text = str(value).strip()
    return text.splitlines()[0] if text else type(value).__name__
