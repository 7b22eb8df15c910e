# SPDX-License-Identifier: Apache-2.0
"""libhallmark-c through ctypes: finding the library, its prototypes, statuses and errors.

Every function of include/hallmark/hallmark.h is declared here with its argument and result
types, so that a wrong argument is a Python TypeError rather than a bad C call. The rest of
the package calls the library only through ``lib``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

SONAME = "libhallmark-c.so.1"

# hallmark_status, by value (include/hallmark/hallmark.h).
STATUS_NAMES = {
    0: "HALLMARK_OK",
    1: "HALLMARK_ERR_INVALID_ARGUMENT",
    2: "HALLMARK_ERR_NO_MEMORY",
    3: "HALLMARK_ERR_STATE",
    4: "HALLMARK_ERR_SYNTAX",
    5: "HALLMARK_ERR_LIMIT",
    6: "HALLMARK_ERR_IO",
    7: "HALLMARK_ERR_INTERNAL",
}
OK = 0
ERR_INVALID_ARGUMENT = 1
ERR_STATE = 3

DISPOSITIONS = {0: "none", 1: "quarantine", 2: "reject"}

_ULONG_MAX = 2 ** (8 * ctypes.sizeof(ctypes.c_ulong)) - 1
_UINT_MAX = 2 ** (8 * ctypes.sizeof(ctypes.c_uint)) - 1


class Error(Exception):
    """A hallmark call that did not return HALLMARK_OK.

    ``status`` is the status's name ("HALLMARK_ERR_SYNTAX"), ``code`` its number, and
    ``message`` the text the library gave for it (the handle's last error), or the status's
    description where the call has no error text.
    """

    def __init__(self, code: int, message: str):
        self.code = code
        self.status = STATUS_NAMES.get(code, f"HALLMARK_STATUS_{code}")
        self.message = message
        super().__init__(f"{message} ({self.status})")


def _load() -> ctypes.CDLL:
    """HALLMARK_LIBRARY if set, else what the system's linker finds, else the soname."""
    candidates = []
    explicit = os.environ.get("HALLMARK_LIBRARY")
    if explicit:
        candidates.append(explicit)
    else:
        found = ctypes.util.find_library("hallmark-c")
        if found:
            candidates.append(found)
        candidates.append(SONAME)
    reasons = []
    for name in candidates:
        try:
            return ctypes.CDLL(name)
        except OSError as e:
            reasons.append(str(e))
    raise ImportError(
        "hallmark: cannot load the C library (set HALLMARK_LIBRARY to the path of "
        f"{SONAME}): " + "; ".join(reasons))


_char_p = ctypes.c_char_p
_void_p = ctypes.c_void_p
_size_t = ctypes.c_size_t
_ulong = ctypes.c_ulong
_int = ctypes.c_int
_double = ctypes.c_double
_status = ctypes.c_int  # an enum: int-sized in the C ABI
_out_p = ctypes.POINTER(ctypes.c_void_p)

# name: (restype, argtypes). Handles are c_void_p: opaque to Python, never dereferenced.
_PROTOTYPES = {
    "hallmark_version": (_char_p, []),
    "hallmark_version_number": (_ulong, []),
    "hallmark_strerror": (_char_p, [_status]),
    # options
    "hallmark_options_new": (_void_p, []),
    "hallmark_options_free": (None, [_void_p]),
    "hallmark_options_error": (_char_p, [_void_p]),
    "hallmark_options_set_authserv_id": (_status, [_void_p, _char_p]),
    "hallmark_options_set_deadline_ms": (_status, [_void_p, _ulong]),
    "hallmark_options_set_max_dns_queries": (_status, [_void_p, _ulong]),
    "hallmark_options_set_check_helo": (_status, [_void_p, _int]),
    "hallmark_options_set_iprev": (_status, [_void_p, _int]),
    "hallmark_options_add_zone_file": (_status, [_void_p, _char_p]),
    "hallmark_options_add_dns_server": (_status, [_void_p, _char_p]),
    "hallmark_options_set_dns_timeout_ms": (_status, [_void_p, _ulong]),
    "hallmark_options_set_dns_tries": (_status, [_void_p, ctypes.c_uint]),
    "hallmark_options_set_score_file": (_status, [_void_p, _char_p]),
    "hallmark_options_set_allow_dmarc_file": (_status, [_void_p, _char_p]),
    "hallmark_options_set_allow_spf_dkim_file": (_status, [_void_p, _char_p]),
    "hallmark_options_set_trusted_arc_file": (_status, [_void_p, _char_p]),
    # the authenticator
    "hallmark_ctx_new": (_status, [_void_p, _out_p]),
    "hallmark_ctx_free": (None, [_void_p]),
    "hallmark_ctx_reload": (_status, [_void_p, _char_p, _size_t]),
    # a message
    "hallmark_message_new": (_status, [_void_p, _out_p]),
    "hallmark_message_free": (None, [_void_p]),
    "hallmark_message_error": (_char_p, [_void_p]),
    "hallmark_message_set_client": (_status, [_void_p, _char_p, _char_p]),
    "hallmark_message_set_helo": (_status, [_void_p, _char_p]),
    "hallmark_message_set_mail_from": (_status, [_void_p, _char_p]),
    "hallmark_message_add_recipient": (_status, [_void_p, _char_p]),
    "hallmark_message_add_header": (_status, [_void_p, _char_p, _size_t, _char_p, _size_t]),
    "hallmark_message_end_of_headers": (_status, [_void_p]),
    "hallmark_message_feed": (_status, [_void_p, _void_p, _size_t]),
    "hallmark_message_finish": (_status, [_void_p, _out_p]),
    "hallmark_verify": (_status, [_void_p, _void_p, _size_t, _char_p, _char_p, _char_p,
                                  _out_p]),
    # the verdict
    "hallmark_result_free": (None, [_void_p]),
    "hallmark_result_auth_results": (_char_p, [_void_p]),
    "hallmark_result_json": (_char_p, [_void_p]),
    "hallmark_result_disposition": (_int, [_void_p]),
    "hallmark_result_override_reason": (_char_p, [_void_p]),
    "hallmark_result_temporary_failure": (_int, [_void_p]),
    "hallmark_result_score": (_double, [_void_p]),
    "hallmark_result_tag_count": (_size_t, [_void_p]),
    "hallmark_result_tag_name": (_char_p, [_void_p, _size_t]),
    "hallmark_result_tag_score": (_double, [_void_p, _size_t]),
    "hallmark_result_spf": (_char_p, [_void_p]),
    "hallmark_result_spf_domain": (_char_p, [_void_p]),
    "hallmark_result_spf_helo": (_char_p, [_void_p]),
    "hallmark_result_dkim_count": (_size_t, [_void_p]),
    "hallmark_result_dkim": (_char_p, [_void_p, _size_t]),
    "hallmark_result_dkim_domain": (_char_p, [_void_p, _size_t]),
    "hallmark_result_dkim_selector": (_char_p, [_void_p, _size_t]),
    "hallmark_result_arc": (_char_p, [_void_p]),
    "hallmark_result_dmarc": (_char_p, [_void_p]),
    "hallmark_result_dmarc_domain": (_char_p, [_void_p]),
    "hallmark_result_dmarc_policy": (_char_p, [_void_p]),
    "hallmark_result_iprev": (_char_p, [_void_p]),
}


class _Library:
    """The loaded library's functions as attributes without the ``hallmark_`` prefix."""

    def __init__(self, cdll: ctypes.CDLL):
        self.cdll = cdll
        for name, (restype, argtypes) in _PROTOTYPES.items():
            try:
                function = getattr(cdll, name)
            except AttributeError:
                raise ImportError(
                    f"hallmark: the C library {cdll._name} has no {name}: "
                    "older than these bindings?") from None
            function.restype = restype
            function.argtypes = argtypes
            setattr(self, name[len("hallmark_"):], function)


lib = _Library(_load())


def text(value: bytes | None) -> str:
    """A C string from the library as str ("" for NULL); invalid UTF-8 becomes U+FFFD."""
    return "" if value is None else value.decode("utf-8", "replace")


def strerror(code: int) -> str:
    return text(lib.strerror(code))


def c_string(value, what: str) -> bytes:
    """A str (UTF-8) or bytes argument as a NUL-terminated C string."""
    if isinstance(value, str):
        value = value.encode("utf-8")
    elif isinstance(value, (bytes, bytearray, memoryview)):
        value = bytes(value)
    else:
        raise TypeError(f"{what} must be str or bytes, not {type(value).__name__}")
    if b"\0" in value:
        raise ValueError(f"{what} contains a NUL character")
    return value


def c_path(value, what: str) -> bytes:
    """A path (str, bytes or os.PathLike) in the file system's encoding, NUL-terminated."""
    try:
        value = os.fsencode(value)
    except TypeError:
        raise TypeError(
            f"{what} must be a path (str, bytes or os.PathLike), not {type(value).__name__}"
        ) from None
    if b"\0" in value:
        raise ValueError(f"{what} contains a NUL character")
    return value


def c_bytes(value, what: str) -> bytes:
    """A bytes-like argument passed with its length (any bytes, NUL included)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        raise TypeError(f"{what} must be bytes, not str (encode it first)")
    try:
        return bytes(memoryview(value))
    except TypeError:
        raise TypeError(f"{what} must be bytes-like, not {type(value).__name__}") from None


def c_ulong(value, what: str, maximum: int = _ULONG_MAX) -> int:
    """A non-negative int for an unsigned C parameter; ctypes would wrap a negative one."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    if not 0 <= value <= maximum:
        raise ValueError(f"{what} must be between 0 and {maximum}, not {value}")
    return value


def c_uint(value, what: str) -> int:
    return c_ulong(value, what, _UINT_MAX)
