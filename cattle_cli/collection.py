"""Where the cattle.images collection lives, and the collections a build needs beside it.

The ``cattle`` command validates templates with the collection it imports and runs
ansible-playbook, which loads plugins through Ansible's own search path. Both must be the same
copy: the run puts this installation's collection directory first on that path, and says when
another ``cattle.images`` is visible there (it is then ignored).
"""

from __future__ import annotations

import os
import sys

# What Ansible searches when neither ANSIBLE_COLLECTIONS_PATH nor ansible.cfg says otherwise.
DEFAULT_COLLECTIONS_PATHS = ("~/.ansible/collections", "/usr/share/ansible/collections")

# Collections a build needs, by the builder types that need them: name -> (types, why).
REQUIRED_COLLECTIONS = {
    "community.docker": ({"docker"}, "the docker builder connects to its container with community.docker.docker_api"),
}


class MissingCollection(Exception):
    """A collection the build needs is not installed; the text says which and how to get it."""


def collection_root():
    """The directory of this installation's cattle.images collection (the one ``cattle`` imports)."""
    for entry in sys.path:
        candidate = os.path.join(entry or ".", "ansible_collections", "cattle", "images")
        if os.path.isfile(os.path.join(candidate, "galaxy.yml")):
            return candidate
    raise RuntimeError(
        "the cattle.images collection is not installed next to the cattle command "
        "(expected ansible_collections/cattle/images in site-packages); reinstall the project"
    )


def playbook_path(name="build_image"):
    return os.path.join(collection_root(), "playbooks", f"{name}.yml")


def _user_paths(environ):
    configured = environ.get("ANSIBLE_COLLECTIONS_PATH") or environ.get("ANSIBLE_COLLECTIONS_PATHS")
    paths = configured.split(os.pathsep) if configured else list(DEFAULT_COLLECTIONS_PATHS)
    return [os.path.expanduser(p) for p in paths if p]


def collections_path(environ=None):
    """ANSIBLE_COLLECTIONS_PATH for the run: this installation's collections first, then the user's."""
    environ = os.environ if environ is None else environ
    own = os.path.dirname(os.path.dirname(os.path.dirname(collection_root())))
    paths = [own] + [p for p in _user_paths(environ) if os.path.realpath(p) != os.path.realpath(own)]
    return os.pathsep.join(paths)


def _search_roots(environ):
    """Where Ansible looks for collections during the run, in its order."""
    roots = collections_path(environ).split(os.pathsep)
    roots += [entry for entry in sys.path if entry and os.path.isdir(os.path.join(entry, "ansible_collections"))]
    seen, ordered = set(), []
    for root in roots:
        real = os.path.realpath(root)
        if real not in seen:
            seen.add(real)
            ordered.append(root)
    return ordered


def _find(name, environ):
    namespace, collection = name.split(".")
    found, seen = [], set()
    for root in _search_roots(environ):
        # A path may name the ansible_collections directory itself or the one above it, as in Ansible.
        base = os.path.dirname(root) if os.path.basename(os.path.normpath(root)) == "ansible_collections" else root
        candidate = os.path.join(base, "ansible_collections", namespace, collection)
        if os.path.isdir(candidate) and os.path.realpath(candidate) not in seen:
            seen.add(os.path.realpath(candidate))
            found.append(candidate)
    return found


def other_copies(environ=None):
    """Other cattle.images collections Ansible could see; the run ignores them."""
    environ = os.environ if environ is None else environ
    own = os.path.realpath(collection_root())
    return [path for path in _find("cattle.images", environ) if os.path.realpath(path) != own]


def check_required(builder_types, environ=None):
    """Raise MissingCollection when a collection the builds need cannot be found."""
    environ = os.environ if environ is None else environ
    for name, (types, why) in REQUIRED_COLLECTIONS.items():
        if set(builder_types) & types and not _find(name, environ):
            raise MissingCollection(
                f"the {name} collection is not installed, and {why}. Install it with "
                f"'ansible-galaxy collection install {name}' or 'pip install ansible' (which bundles it), "
                f"into a directory Ansible searches (ANSIBLE_COLLECTIONS_PATH, ~/.ansible/collections or "
                f"site-packages).")
