"""Readers for template files that keep each value's line and column.

JSON is read by a small recursive-descent parser (the stdlib's `json` keeps no positions)
that reports duplicate keys at any depth, as Packer does. YAML is read through PyYAML's
node graph, whose marks carry positions.
"""

from __future__ import annotations

import math
import re

from ansible_collections.cattle.images.plugins.module_utils.errors import CattleError

Path = tuple  # of str keys and int indexes


class Document:
    """A parsed file: plain Python values plus where each one was written."""

    def __init__(self, value=None):
        self.value = value
        self.positions: dict = {}  # path -> (line, column) of the value
        self.key_positions: dict = {}  # path -> (line, column) of the member's key
        self.duplicates: list = []  # (path, line, column)

    def position(self, path: Path) -> tuple[int, int]:
        path = tuple(path)
        while True:
            if path in self.key_positions:
                return self.key_positions[path]
            if path in self.positions:
                return self.positions[path]
            if not path:
                return (1, 1)
            path = path[:-1]


class SourceError(CattleError):
    def __init__(self, message: str, line: int, column: int):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def _fits_float64(value) -> bool:
    """A template's number is a 64-bit float to Packer: beyond that range it is an error, not infinity."""
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large to convert
        return False


def _out_of_range(raw: str) -> str:
    shown = raw if len(raw) <= 40 else f"{raw[:20]}… ({len(raw)} characters)"
    return f"number {shown} does not fit a 64-bit float, which is what a template's numbers are"


_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_STRING_CHUNK = re.compile(r'[^"\\\x00-\x1f]*')
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_MAX_DEPTH = 500


class Repeated(list):
    """A key written more than once in one object, read with `read_json(..., repeated=True)` (HCL's JSON
    syntax, where each is a block): its values in order. The first was read at `path + (key,)`, the n-th
    after it at `path + (key, again(n))`."""


def again(n: int) -> tuple:
    return ("again", n)


class _JSONReader:
    def __init__(self, text: str, repeated: bool = False):
        self.text = text
        self.repeated = repeated
        self.doc = Document(None)
        # Line starts, to turn offsets into (line, column).
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def where(self, offset: int) -> tuple[int, int]:
        lo, hi = 0, len(self.line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - self.line_starts[lo] + 1

    def fail(self, message: str, offset: int):
        line, column = self.where(offset)
        return SourceError(message, line, column)

    def describe(self, offset: int) -> str:
        if offset >= len(self.text):
            return "unexpected end of JSON input"
        return f"invalid character {self.text[offset]!r}"

    def skip(self, offset: int) -> int:
        return _WS.match(self.text, offset).end()

    def read(self) -> Document:
        offset = self.skip(0)
        if offset >= len(self.text):
            raise self.fail("unexpected end of JSON input", offset)
        self.doc.value, offset = self.value(offset, (), 0)
        offset = self.skip(offset)
        if offset < len(self.text):
            raise self.fail(f"{self.describe(offset)} after top-level value", offset)
        return self.doc

    def value(self, offset: int, path: Path, depth: int):
        if depth > _MAX_DEPTH:
            raise self.fail("exceeded max depth", offset)
        self.doc.positions[path] = self.where(offset)
        text = self.text
        ch = text[offset:offset + 1]
        if ch == "{":
            return self.obj(offset + 1, path, depth)
        if ch == "[":
            return self.array(offset + 1, path, depth)
        if ch == '"':
            return self.string(offset + 1)
        if text.startswith("true", offset):
            return True, offset + 4
        if text.startswith("false", offset):
            return False, offset + 5
        if text.startswith("null", offset):
            return None, offset + 4
        match = _NUMBER.match(text, offset)
        if match and match.end() > offset:
            return self.number(match.group(), offset), match.end()
        raise self.fail(f"{self.describe(offset)} looking for beginning of value", offset)

    def number(self, raw: str, offset: int):
        # A huge integer must not reach int(), which refuses more than 4,300 digits.
        if not _fits_float64(float(raw)):
            raise self.fail(_out_of_range(raw), offset)
        return float(raw) if any(c in raw for c in ".eE") else int(raw)

    def obj(self, offset: int, path: Path, depth: int):
        result: dict = {}
        offset = self.skip(offset)
        if self.text.startswith("}", offset):
            return result, offset + 1
        while True:
            if not self.text.startswith('"', offset):
                raise self.fail(f"{self.describe(offset)} looking for beginning of object key string", offset)
            key_at = offset
            key, offset = self.string(offset + 1)
            offset = self.skip(offset)
            if not self.text.startswith(":", offset):
                raise self.fail(f"{self.describe(offset)} after object key", offset)
            offset = self.skip(offset + 1)
            child = path + (key,)
            earlier = None
            if key in result:
                self.doc.duplicates.append((child, *self.where(key_at)))
                if self.repeated:
                    earlier = result[key] if isinstance(result[key], Repeated) else Repeated([result[key]])
                    child = path + (key, again(len(earlier)))
            self.doc.key_positions[child] = self.where(key_at)
            result[key], offset = self.value(offset, child, depth + 1)
            if earlier is not None:
                result[key] = Repeated(earlier + [result[key]])
            offset = self.skip(offset)
            if self.text.startswith(",", offset):
                offset = self.skip(offset + 1)
                continue
            if self.text.startswith("}", offset):
                return result, offset + 1
            raise self.fail(f"{self.describe(offset)} after object key:value pair", offset)

    def array(self, offset: int, path: Path, depth: int):
        result: list = []
        offset = self.skip(offset)
        if self.text.startswith("]", offset):
            return result, offset + 1
        while True:
            item, offset = self.value(offset, path + (len(result),), depth + 1)
            result.append(item)
            offset = self.skip(offset)
            if self.text.startswith(",", offset):
                offset = self.skip(offset + 1)
                continue
            if self.text.startswith("]", offset):
                return result, offset + 1
            raise self.fail(f"{self.describe(offset)} after array element", offset)

    def string(self, offset: int):
        text = self.text
        parts = []
        while True:
            match = _STRING_CHUNK.match(text, offset)
            parts.append(match.group())
            offset = match.end()
            if offset >= len(text):
                raise self.fail("unexpected end of JSON input", offset)
            ch = text[offset]
            if ch == '"':
                return "".join(parts), offset + 1
            if ch == "\\":
                esc = text[offset + 1:offset + 2]
                if esc in _ESCAPES:
                    parts.append(_ESCAPES[esc])
                    offset += 2
                    continue
                if esc == "u":
                    digits = text[offset + 2:offset + 6]
                    if len(digits) != 4 or not all(c in "0123456789abcdefABCDEF" for c in digits):
                        raise self.fail("invalid character in \\u hexadecimal character escape", offset)
                    code = int(digits, 16)
                    offset += 6
                    # Surrogate pairs, as Go decodes them.
                    if 0xD800 <= code < 0xDC00 and text.startswith("\\u", offset):
                        low_digits = text[offset + 2:offset + 6]
                        if len(low_digits) == 4 and all(c in "0123456789abcdefABCDEF" for c in low_digits):
                            low = int(low_digits, 16)
                            if 0xDC00 <= low < 0xE000:
                                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                                offset += 6
                    if 0xD800 <= code < 0xE000:
                        code = 0xFFFD
                    parts.append(chr(code))
                    continue
                raise self.fail("invalid character in string escape code", offset)
            raise self.fail("invalid character in string literal", offset)


def read_json(text: str, repeated: bool = False) -> Document:
    return _JSONReader(text, repeated).read()


def read_yaml(text: str) -> Document:
    import yaml

    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        loader = loader_class(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        raise SourceError(message, (mark.line + 1) if mark else 1, (mark.column + 1) if mark else 1) from None
    except yaml.YAMLError as exc:
        raise SourceError(f"invalid YAML: {exc}", 1, 1) from None
    doc = Document(None)
    if node is None:
        doc.value = None
        return doc
    scalar_loader = yaml.SafeLoader("")
    doc.value = _yaml_value(node, (), doc, scalar_loader, 0, set())
    return doc


def _yaml_value(node, path: Path, doc: Document, loader, depth: int, active: set):
    import yaml

    if depth > _MAX_DEPTH or id(node) in active:
        raise SourceError("YAML document too deep or recursive", node.start_mark.line + 1, node.start_mark.column + 1)
    doc.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.ScalarNode):
        where = (node.start_mark.line + 1, node.start_mark.column + 1)
        try:
            value = loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise SourceError(str(exc), *where) from None
        except ValueError:  # an integer of more than 4,300 digits
            value = math.inf
        if isinstance(value, (int, float)) and not isinstance(value, bool) and not _fits_float64(value):
            raise SourceError(_out_of_range(node.value), *where)
        if isinstance(value, (bytes, bytearray)) or type(value).__module__ == "datetime":
            value = node.value
        return value
    active = active | {id(node)}
    if isinstance(node, yaml.SequenceNode):
        return [_yaml_value(item, path + (i,), doc, loader, depth + 1, active) for i, item in enumerate(node.value)]
    result: dict = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise SourceError("mapping keys must be scalars", key_node.start_mark.line + 1,
                              key_node.start_mark.column + 1)
        key = str(key_node.value)
        child = path + (key,)
        where = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        if key in result:
            doc.duplicates.append((child, *where))
        doc.key_positions[child] = where
        result[key] = _yaml_value(value_node, child, doc, loader, depth + 1, active)
    return result


def looks_like_yaml(path: str, text: str) -> bool:
    if path.endswith((".yml", ".yaml")):
        return True
    if path.endswith(".json"):
        return False
    stripped = text.lstrip()
    return bool(stripped) and not stripped.startswith(("{", "["))


def read_document(path: str, text: str) -> Document:
    return read_yaml(text) if looks_like_yaml(path, text) else read_json(text)
