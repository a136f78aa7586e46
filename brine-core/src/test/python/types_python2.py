"""Prints Python 2.7 pickles of fractions, special decimals and builtin exceptions, one hex pickle a line.

Python2TypesTest reads each with Brine and compares it with what Python 3 loads from the same bytes
(types_stdlib.py --canon). Runs on Python 2.7 (and 3).
"""
import binascii
import decimal
import fractions
import pickle
import sys


def cases():
    return [
        fractions.Fraction(1, 3),
        fractions.Fraction(-7, 2),
        fractions.Fraction(4),
        decimal.Decimal('NaN'),
        decimal.Decimal('-sNaN12'),
        decimal.Decimal('-Infinity'),
        decimal.Decimal('-0.00'),
        ValueError('bad', 1),
        KeyError('k'),
        OSError(2, 'No such file', 'f.txt'),
        KeyboardInterrupt(),
    ]


for value in cases():
    for protocol in range(0, pickle.HIGHEST_PROTOCOL + 1):
        sys.stdout.write(binascii.hexlify(pickle.dumps(value, protocol)).decode('ascii') + '\n')
