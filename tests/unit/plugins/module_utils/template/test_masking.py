"""Sensitive values are masked in the forms they take in errors and logs, not only verbatim."""

from __future__ import annotations

import base64
import json
import re
import urllib.parse

import pytest

from ansible_collections.cattle.images.plugins.module_utils.template import mask
from ansible_collections.cattle.images.plugins.module_utils.template.runtime import encodings

SECRET = 'p@ss w/rd:"x"&y=1%'


@pytest.mark.parametrize("form", [
    SECRET,
    urllib.parse.quote(SECRET, safe=""),
    urllib.parse.quote(SECRET),
    urllib.parse.quote_plus(SECRET),
    re.sub(r"%[0-9A-F]{2}", lambda escape: escape.group(0).lower(), urllib.parse.quote(SECRET, safe="")),
    json.dumps(SECRET)[1:-1],
    base64.b64encode(SECRET.encode()).decode(),
    base64.b64encode(SECRET.encode()).decode().rstrip("="),
    base64.urlsafe_b64encode(SECRET.encode()).decode(),
], ids=["plain", "url", "url-path", "url-form", "url-lower", "json", "base64", "base64-unpadded", "base64-url"])
def test_every_encoding_of_a_secret_is_masked(form):
    text = f"Error response from daemon: Get https://registry/v2/?token={form}: denied"
    masked = mask(text, [SECRET])
    assert masked == "Error response from daemon: Get https://registry/v2/?token=<sensitive>: denied"


def test_a_docker_error_with_the_url_encoded_password_is_masked():
    secret = "s3cr3t/+="
    error = f"Get \"https://user:{urllib.parse.quote(secret, safe='')}@127.0.0.1:5000/v2/\": unauthorized"
    assert secret not in mask(error, [secret]) and urllib.parse.quote(secret, safe="") not in mask(error, [secret])
    assert "<sensitive>" in mask(error, [secret])


def test_plain_values_have_no_extra_forms_to_mask():
    assert encodings("abc") >= {"abc", "YWJj"}
    assert mask("abc and YWJj", ["abc"]) == "<sensitive> and <sensitive>"
    assert mask("nothing here", ["abc"]) == "nothing here"
    assert mask("text", []) == "text"


def test_the_longest_form_wins():
    assert mask("hunter22", ["hunter2", "hunter22"]) == "<sensitive>"
