"""Prints CPython 3's renames of Python 2 globals (_compat_pickle) as JSON, for Brine's conformance tests.

Usage: python3 compat_names.py
"""
import _compat_pickle
import json

print(json.dumps({
    'names': [[m, n, m3, n3] for (m, n), (m3, n3) in sorted(_compat_pickle.NAME_MAPPING.items())],
    'modules': dict(_compat_pickle.IMPORT_MAPPING),
}))
