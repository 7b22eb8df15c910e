# SPDX-License-Identifier: Apache-2.0
"""libhallmark-c through ctypes: finding the library, its prototypes, statuses and errors.

Every function of include/hallmark/hallmark.h is declared here with its argument and result
types, so that a wrong argument is a Python TypeError rather than a bad C call. The rest of
the package calls the library only through ``lib``.

Where the library comes from, first match wins (README.md, "Finding the C library"):

1. ``$HALLMARK_LIBRARY``: the path of libhallmark-c.so.1 (or any file name dlopen takes);
2. ``$HALLMARK_BUILD_DIR``: a CMake build directory of hallmark, its lib/capi/libhallmark-c.so.1;
3. a source checkout: when this package is imported from ``<checkout>/bindings/python``, the
   library built in ``<checkout>/build/lib/capi/``;
4. an installed hallmark: what ``ctypes.util.find_library("hallmark-c")`` finds (the
   linker's cache), then the soname as the dynamic linker finds it (LD_LIBRARY_PATH, ...).

The first two are explicit: when set, a library that does not load there is an ImportError
rather than a fall back to another one.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from pathlib import Path
from typing import Any, Callable, Dict, List, NoReturn, Optional, Sequence, Tuple, Union

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
ERR_NO_MEMORY = 2
ERR_STATE = 3

DISPOSITIONS = {0: "none", 1: "quarantine", 2: "reject"}

WATCH_READ = 1
WATCH_WRITE = 2

_ULONG_MAX = 2 ** (8 * ctypes.sizeof(ctypes.c_ulong)) - 1
_UINT_MAX = 2 ** (8 * ctypes.sizeof(ctypes.c_uint)) - 1


class Error(Exception):
    """A hallmark call that did not return HALLMARK_OK.

    ``status`` is the status's name ("HALLMARK_ERR_SYNTAX"), ``code`` its number, and
    ``message`` the text the library gave for it (the handle's last error), or the status's
    description where the call has no error text.
    """

    code: int
    status: str
    message: str

    def __init__(self, code: int, message: str) -> None:
        self.code = code
        self.status = STATUS_NAMES.get(code, f"HALLMARK_STATUS_{code}")
        self.message = message
        super().__init__(f"{message} ({self.status})")

    def __reduce__(self) -> Tuple[Any, Tuple[int, str]]:
        return (type(self), (self.code, self.message))


# ---- finding the library --------------------------------------------------------------------

def _checkout_build() -> Optional[Path]:
    """<checkout>/build/lib/capi/libhallmark-c.so.1 when this file is
    <checkout>/bindings/python/hallmark/_capi.py of a hallmark checkout that has one."""
    package = Path(__file__).resolve().parent
    if package.parent.name != "python" or package.parent.parent.name != "bindings":
        return None
    root = package.parents[2]
    if not (root / "include" / "hallmark" / "hallmark.h").is_file():
        return None
    library = root / "build" / "lib" / "capi" / SONAME
    return library if library.exists() else None


def _candidates() -> Tuple[List[str], bool]:
    """The file names to try in order, and whether they were asked for explicitly."""
    explicit = os.environ.get("HALLMARK_LIBRARY")
    if explicit:
        return [explicit], True
    build_dir = os.environ.get("HALLMARK_BUILD_DIR")
    if build_dir:
        return [str(Path(build_dir) / "lib" / "capi" / SONAME)], True
    names = []
    checkout = _checkout_build()
    if checkout is not None:
        names.append(str(checkout))
    found = ctypes.util.find_library("hallmark-c")
    if found:
        names.append(found)
    names.append(SONAME)
    return names, False


def _load() -> ctypes.CDLL:
    names, explicit = _candidates()
    reasons = []
    for name in names:
        try:
            return ctypes.CDLL(name)
        except OSError as e:
            reasons.append(str(e))
    where = ("from $HALLMARK_LIBRARY" if os.environ.get("HALLMARK_LIBRARY")
             else "from $HALLMARK_BUILD_DIR" if explicit else "anywhere")
    raise ImportError(
        f"hallmark: cannot load the C library {SONAME} {where} (set HALLMARK_LIBRARY to its "
        "path, or HALLMARK_BUILD_DIR to a hallmark build directory): " + "; ".join(reasons))


# ---- prototypes -----------------------------------------------------------------------------

class Watch(ctypes.Structure):
    """hallmark_watch: a socket of the ctx and the events it waits for."""

    _fields_ = [("fd", ctypes.c_int), ("events", ctypes.c_int)]


_char_p = ctypes.c_char_p
_void_p = ctypes.c_void_p
_size_t = ctypes.c_size_t
_ulong = ctypes.c_ulong
_uint = ctypes.c_uint
_int = ctypes.c_int
_double = ctypes.c_double
_status = ctypes.c_int  # an enum: int-sized in the C ABI
_out_p = ctypes.POINTER(ctypes.c_void_p)
_int_p = ctypes.POINTER(ctypes.c_int)

# void (*hallmark_done_fn)(void* user, hallmark_message* message, hallmark_result* result)
DONE_FN = ctypes.CFUNCTYPE(None, _void_p, _void_p, _void_p)
# void (*hallmark_dns_start_fn)(void* user, hallmark_ctx* ctx, unsigned long long lookup,
#                               const char* name, unsigned type)
DNS_START_FN = ctypes.CFUNCTYPE(None, _void_p, _void_p, ctypes.c_ulonglong, _char_p, _uint)

# name: (restype, argtypes). Handles are c_void_p: opaque to Python, never dereferenced.
_PROTOTYPES: Dict[str, Tuple[Any, List[Any]]] = {
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
    "hallmark_options_set_limit": (_status, [_void_p, ctypes.c_int, _ulong]),
    "hallmark_options_set_check_helo": (_status, [_void_p, _int]),
    "hallmark_options_set_iprev": (_status, [_void_p, _int]),
    "hallmark_options_add_zone_file": (_status, [_void_p, _char_p]),
    "hallmark_options_add_dns_server": (_status, [_void_p, _char_p]),
    "hallmark_options_set_dns_timeout_ms": (_status, [_void_p, _ulong]),
    "hallmark_options_set_dns_tries": (_status, [_void_p, _uint]),
    "hallmark_options_set_event_loop": (_status, [_void_p, _int]),
    "hallmark_options_set_dns_callback": (_status, [_void_p, DNS_START_FN, _void_p]),
    "hallmark_options_set_score_file": (_status, [_void_p, _char_p]),
    "hallmark_options_set_allow_dmarc_file": (_status, [_void_p, _char_p]),
    "hallmark_options_set_allow_spf_dkim_file": (_status, [_void_p, _char_p]),
    "hallmark_options_set_trusted_arc_file": (_status, [_void_p, _char_p]),
    # the authenticator
    "hallmark_ctx_new": (_status, [_void_p, _out_p]),
    "hallmark_ctx_free": (None, [_void_p]),
    "hallmark_ctx_reload": (_status, [_void_p, _char_p, _size_t]),
    "hallmark_ctx_watches": (_size_t, [_void_p, ctypes.POINTER(Watch), _size_t]),
    "hallmark_ctx_timeout_ms": (ctypes.c_long, [_void_p]),
    "hallmark_ctx_process": (_status, [_void_p, _int_p, _size_t, _int_p, _size_t]),
    "hallmark_ctx_dns_answer": (_status, [_void_p, ctypes.c_ulonglong, _void_p, _size_t]),
    "hallmark_ctx_dns_failure": (_status, [_void_p, ctypes.c_ulonglong, _int]),
    # a message
    "hallmark_message_new": (_status, [_void_p, _out_p]),
    "hallmark_message_free": (None, [_void_p]),
    "hallmark_message_cancel": (None, [_void_p]),
    "hallmark_message_error": (_char_p, [_void_p]),
    "hallmark_message_set_client": (_status, [_void_p, _char_p, _char_p]),
    "hallmark_message_set_helo": (_status, [_void_p, _char_p]),
    "hallmark_message_set_mail_from": (_status, [_void_p, _char_p]),
    "hallmark_message_add_recipient": (_status, [_void_p, _char_p]),
    "hallmark_message_add_header": (_status, [_void_p, _char_p, _size_t, _char_p, _size_t]),
    "hallmark_message_end_of_headers": (_status, [_void_p]),
    "hallmark_message_feed": (_status, [_void_p, _void_p, _size_t]),
    "hallmark_message_finish": (_status, [_void_p, _out_p]),
    "hallmark_message_finish_async": (_status, [_void_p, DONE_FN, _void_p]),
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
    "hallmark_result_received_spf": (_char_p, [_void_p]),
    # SPF alone
    "hallmark_spf_check": (_status, [_void_p, _char_p, _char_p, _char_p, _out_p]),
    # keys, DKIM signing, ARC sealing
    "hallmark_key_generate": (_status, [_char_p, _uint, _out_p]),
    "hallmark_key_load": (_status, [_char_p, _size_t, _out_p]),
    "hallmark_key_free": (None, [_void_p]),
    "hallmark_key_pem": (_char_p, [_void_p]),
    "hallmark_key_dns_record": (_char_p, [_void_p]),
    "hallmark_signer_new": (_status, [_void_p, _char_p, _char_p, _out_p]),
    "hallmark_signer_free": (None, [_void_p]),
    "hallmark_signer_error": (_char_p, [_void_p]),
    "hallmark_dkim_sign": (_status, [_void_p, _void_p, _size_t, ctypes.POINTER(_char_p)]),
    "hallmark_arc_seal": (_status, [_void_p, _void_p, _void_p, _size_t, _void_p,
                                    ctypes.POINTER(_char_p)]),
}


class _Library:
    """The loaded library's functions as attributes without the ``hallmark_`` prefix."""

    def __init__(self, cdll: ctypes.CDLL) -> None:
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

    def __getattr__(self, name: str) -> Callable[..., Any]:  # for type checkers only
        raise AttributeError(name)


lib = _Library(_load())


class _DlInfo(ctypes.Structure):
    _fields_ = [("dli_fname", ctypes.c_char_p), ("dli_fbase", ctypes.c_void_p),
                ("dli_sname", ctypes.c_char_p), ("dli_saddr", ctypes.c_void_p)]


def library_path() -> str:
    """The file the C library was loaded from (dladdr of one of its functions)."""
    try:
        dladdr = ctypes.CDLL(None).dladdr
    except AttributeError:  # pragma: no cover - glibc has it
        return lib.cdll._name
    dladdr.argtypes = [ctypes.c_void_p, ctypes.POINTER(_DlInfo)]
    dladdr.restype = ctypes.c_int
    info = _DlInfo()
    address = ctypes.cast(lib.version, ctypes.c_void_p).value
    if not dladdr(address, ctypes.byref(info)) or not info.dli_fname:
        return lib.cdll._name  # pragma: no cover
    return os.fsdecode(info.dli_fname)


# ---- conversions ----------------------------------------------------------------------------

Bytes = Union[bytes, bytearray, memoryview]
Text = Union[str, bytes]
PathArg = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]


def text(value: Optional[bytes]) -> str:
    """A C string from the library as str ("" for NULL); invalid UTF-8 becomes U+FFFD."""
    return "" if value is None else value.decode("utf-8", "replace")


def strerror(code: int) -> str:
    return text(lib.strerror(code))


def fail(status: int, message: str) -> NoReturn:
    """Raises Error for `status` with `message`, or the status's description without one."""
    raise Error(status, message or strerror(status))


def c_string(value: object, what: str) -> bytes:
    """A str (UTF-8) or bytes argument as a NUL-terminated C string."""
    if isinstance(value, str):
        data = value.encode("utf-8")
    elif isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
    else:
        raise TypeError(f"{what} must be str or bytes, not {type(value).__name__}")
    if b"\0" in data:
        raise ValueError(f"{what} contains a NUL character")
    return data


def c_optional_string(value: object, what: str) -> Optional[bytes]:
    return None if value is None else c_string(value, what)


def c_path(value: object, what: str) -> bytes:
    """A path (str, bytes or os.PathLike) in the file system's encoding, NUL-terminated."""
    try:
        data = os.fsencode(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(
            f"{what} must be a path (str, bytes or os.PathLike), not {type(value).__name__}"
        ) from None
    if b"\0" in data:
        raise ValueError(f"{what} contains a NUL character")
    return data


def c_bytes(value: object, what: str) -> bytes:
    """A bytes-like argument passed with its length (any bytes, NUL included)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        raise TypeError(f"{what} must be bytes, not str (encode it first)")
    try:
        return bytes(memoryview(value))  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{what} must be bytes-like, not {type(value).__name__}") from None


def c_ulong(value: object, what: str, maximum: int = _ULONG_MAX) -> int:
    """A non-negative int for an unsigned C parameter; ctypes would wrap a negative one."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    if not 0 <= value <= maximum:
        raise ValueError(f"{what} must be between 0 and {maximum}, not {value}")
    return value


def c_uint(value: object, what: str) -> int:
    return c_ulong(value, what, _UINT_MAX)


def int_array(values: Sequence[int]) -> Optional["ctypes.Array[ctypes.c_int]"]:
    """A C int array of `values`, None (NULL) when empty."""
    if not values:
        return None
    return (ctypes.c_int * len(values))(*values)
