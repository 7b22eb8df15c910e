#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Verdicts per second through the Python bindings, beside the same work through the C API
called straight from ctypes, on the demo's signed message over its zone file: what Python
adds per message. Run by hand against an optimised library, for instance

    cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DHALLMARK_BUILD_BENCH=ON
    cmake --build build-release -j2 --target hallmark_c bench_capi
    HALLMARK_LIBRARY=build-release/lib/capi/libhallmark-c.so.1 bench/python_bench.py
    build-release/bench/bench_capi     # the C and C++ figures

Not a test: the figures are reported, never asserted.
"""
import ctypes
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO = os.path.join(HERE, "..", "examples", "demo")
sys.path.insert(0, os.path.join(HERE, "..", "bindings", "python"))

import hallmark  # noqa: E402  (after the path above)

ENVELOPE = dict(ip="192.0.2.10", helo="mail.example.com", mail_from="alice@example.com")


def rate(call, seconds=2.0):
    """Calls per second of `call`, after a warm-up call."""
    call()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(50):
            call()
        n += 50
    return n / (time.perf_counter() - start)


def main():
    with open(os.path.join(DEMO, "signed.eml"), "rb") as f:
        message = f.read()
    zone = os.path.join(DEMO, "demo.zone")
    auth = hallmark.Authenticator(zone_files=[zone], authserv_id="mx.example.org")

    # The C API without the bindings: one ctx, hallmark_verify and the two reads a host makes.
    lib = ctypes.CDLL(hallmark.library_path())
    lib.hallmark_options_new.restype = ctypes.c_void_p
    lib.hallmark_ctx_new.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]
    lib.hallmark_options_add_zone_file.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.hallmark_options_set_authserv_id.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.hallmark_verify.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t,
                                    ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
                                    ctypes.POINTER(ctypes.c_void_p)]
    lib.hallmark_result_auth_results.argtypes = [ctypes.c_void_p]
    lib.hallmark_result_auth_results.restype = ctypes.c_char_p
    lib.hallmark_result_disposition.argtypes = [ctypes.c_void_p]
    lib.hallmark_result_free.argtypes = [ctypes.c_void_p]
    options = lib.hallmark_options_new()
    lib.hallmark_options_add_zone_file(options, zone.encode())
    lib.hallmark_options_set_authserv_id(options, b"mx.example.org")
    ctx = ctypes.c_void_p()
    if lib.hallmark_ctx_new(options, ctypes.byref(ctx)) != 0:
        sys.exit("hallmark_ctx_new failed")
    ip, helo, mail_from = (ENVELOPE[k].encode() for k in ("ip", "helo", "mail_from"))

    def raw():
        result = ctypes.c_void_p()
        lib.hallmark_verify(ctx, message, len(message), ip, helo, mail_from, ctypes.byref(result))
        lib.hallmark_result_auth_results(result)
        lib.hallmark_result_disposition(result)
        lib.hallmark_result_free(result)

    def bound():
        auth.verify(message, **ENVELOPE)

    def bound_sync_whole():
        auth.verify(message, **ENVELOPE).data  # with the JSON parsed, as a script would

    c_rate = rate(raw)
    py_rate = rate(bound)
    json_rate = rate(bound_sync_whole)
    print(f"library: {hallmark.library_path()}")
    print(f"C API through ctypes:   {c_rate:10.0f} verdicts/s  {1e6 / c_rate:7.1f} us each")
    print(f"Python bindings:        {py_rate:10.0f} verdicts/s  {1e6 / py_rate:7.1f} us each"
          f"  (+{1e6 / py_rate - 1e6 / c_rate:.1f} us, {c_rate / py_rate:.2f}x)")
    print(f"  with the JSON parsed: {json_rate:10.0f} verdicts/s  {1e6 / json_rate:7.1f} us each")
    auth.close()


if __name__ == "__main__":
    main()
