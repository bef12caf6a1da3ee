"""documents.signatures.streebog is gostcrypto's Streebog, faster: the private names it reads, and equal digests."""

import os

import pytest
from gostcrypto import gosthash
from gostcrypto.gosthash import gost_34_11_2012

from documents.signatures import streebog


def test_the_private_tables_it_reads_are_there():
    assert len(gost_34_11_2012._T) == 8 and all(len(table) == 256 for table in gost_34_11_2012._T)
    assert len(gost_34_11_2012._C) == 12 and all(len(constant) == 64 for constant in gost_34_11_2012._C)


@pytest.mark.parametrize("length", [0, 1, 63, 64, 65, 127, 128, 129, 1000])
@pytest.mark.parametrize("size", [512, 256])
def test_digests_equal_gostcryptos(length, size):
    data = os.urandom(length)
    assert streebog.digest(data, size) == bytes(gosthash.new(f"streebog{size}", data=data).digest())


def test_the_standards_first_example():
    # GOST 34.11-2012, appendix A, example 1: 63 ASCII digits, and the digest the reference implementations print.
    message = b"012345678901234567890123456789012345678901234567890123456789012"
    expected = (
        "1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa"
        "00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48"
    )
    assert streebog.digest(message).hex() == expected
