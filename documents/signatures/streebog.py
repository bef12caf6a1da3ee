"""Streebog (GOST 34.11-2012) on Python integers: the same function as gostcrypto's, about three times faster.

gostcrypto works byte by byte on bytearrays (150 KB, a typical registered PDF: 1.75 s of CPU); here the 512-bit
state is one integer, XORed at once, and only the LPS step reads its bytes (0.54 s). It uses gostcrypto's own
tables, private names (tests/documents/test_streebog.py checks each, and that the digests are gostcrypto's byte
for byte on inputs of every padding case):

- `gostcrypto.gosthash.gost_34_11_2012._T`: the eight 256-entry tables of the combined L, P, S transformation;
- `gostcrypto.gosthash.gost_34_11_2012._C`: the twelve round constants (64 bytes each, little-endian).
"""

from gostcrypto.gosthash import gost_34_11_2012 as _reference

_T = [list(t) for t in _reference._T]
_C = [int.from_bytes(bytes(c), "little") for c in _reference._C]
_MOD = 1 << 512


def _lps(x: int) -> int:
    b = x.to_bytes(64, "little")
    t0, t1, t2, t3, t4, t5, t6, t7 = _T
    out = 0
    for i in (7, 6, 5, 4, 3, 2, 1, 0):
        out = (out << 64) | (
            t0[b[i]]
            ^ t1[b[8 + i]]
            ^ t2[b[16 + i]]
            ^ t3[b[24 + i]]
            ^ t4[b[32 + i]]
            ^ t5[b[40 + i]]
            ^ t6[b[48 + i]]
            ^ t7[b[56 + i]]
        )
    return out


def _g(h: int, n: int, m: int) -> int:
    k = _lps(h ^ n)
    state = k ^ m
    for c in _C:
        state = _lps(state)
        k = _lps(k ^ c)
        state ^= k
    return state ^ h ^ m


def digest(data: bytes, size: int = 512) -> bytes:
    """The Streebog-512 (or -256) digest of `data`, in gostcrypto's byte order."""
    h = 0 if size == 512 else int.from_bytes(b"\x01" * 64, "little")
    n = sigma = 0
    full = len(data) - len(data) % 64
    view = memoryview(data)
    for start in range(0, full, 64):
        block = int.from_bytes(view[start : start + 64], "little")
        h = _g(h, n, block)
        n = (n + 512) % _MOD
        sigma = (sigma + block) % _MOD
    rest = bytes(view[full:])
    last = int.from_bytes(rest + b"\x01" + bytes(63 - len(rest)), "little")
    h = _g(h, n, last)
    n = (n + 8 * len(rest)) % _MOD
    sigma = (sigma + last) % _MOD
    h = _g(h, 0, n)
    h = _g(h, 0, sigma)
    out = h.to_bytes(64, "little")
    return out if size == 512 else out[32:]
