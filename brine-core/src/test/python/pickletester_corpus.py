# -*- coding: utf-8 -*-
"""Runs CPython's own unpickling tests and writes down every pickle they load, for Brine's conformance tests.

Usage: python pickletester_corpus.py OUTDIR       (Python 2.7 or 3.6+, needs the interpreter's test package)

The tests are `AbstractUnpickleTests` from the interpreter's test/pickletester.py, run through CPython's own concrete
test classes (test_pickle's C and pure-Python unpickler tests; on 2.7 test_pickle's and test_cpickle's), with their
own expected-error lists. We only put a recorder in front of their `loads`. Every (data, keyword arguments) pair
they load is written to OUTDIR/corpus.json once, with:
  - "c" and "py": what the C and the pure-Python unpickler did: {"ok": true} or {"error": type, "mro": [...]};
  - "expect": when loading succeeded, the description (see describe.py) of what CPython built;
  - "tests": the test methods that loaded it.
Exit status 3 means the interpreter has no usable pickletester (the Java side then skips it, loudly).
"""
from __future__ import print_function

import json
import os
import sys
import traceback
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import describe  # noqa: E402
from describe import PY2, hexlify  # noqa: E402

sys.setrecursionlimit(20000)

# Tests that do not check the unpickler's reading of a byte string: they race imports in threads.
SKIPPED_TESTS = {'test_unpickle_module_race'}


def load_test_classes():
    """CPython's own concrete unpickler test classes: [(label, class)]."""
    if PY2:
        from test import test_pickle, test_cpickle
        return [('py', test_pickle.UnpicklerTests), ('c', test_cpickle.BytesIOCUnpicklerTests)]
    from test import test_pickle
    classes = [('py', test_pickle.PyUnpicklerTests)]
    if hasattr(test_pickle, 'CUnpicklerTests'):
        classes.append(('c', test_pickle.CUnpicklerTests))
    return classes


class Corpus(object):
    def __init__(self):
        self.entries = {}
        self.order = []

    def record(self, test, label, loads, data, kwargs):
        key = (bytes(data), json.dumps(kwargs, sort_keys=True))
        entry = self.entries.get(key)
        if entry is None:
            entry = {'data': hexlify(data), 'kwargs': kwargs, 'tests': []}
            self.entries[key] = entry
            self.order.append(key)
        name = type(test).__name__ + '.' + test._testMethodName
        if test._testMethodName not in entry['tests']:
            entry['tests'].append(test._testMethodName)
        try:
            value = loads(data, **kwargs)
        except BaseException as e:
            entry[label] = {'error': type(e).__name__, 'mro': [c.__name__ for c in type(e).__mro__],
                            'message': str(e)[:300], 'by': name}
            raise
        entry[label] = {'ok': True, 'by': name}
        if 'expect' not in entry:
            # Describe now, while the test's context (for example a module swapped into sys.modules) holds.
            try:
                entry['expect'] = describe.describe_load(bytes(data), **kwargs)
            except Exception as e:
                entry['describe_error'] = '%s: %s' % (type(e).__name__, e)
        return value


CORPUS = Corpus()


def recording(label, cls):
    """A subclass of one of CPython's test classes whose loads goes through the recorder."""
    def loads(self, buf, **kwargs):
        return CORPUS.record(self, label, lambda d, **k: cls.loads(self, d, **k), buf, kwargs)
    return type('Recording' + cls.__name__, (cls,), {'loads': loads})


def main(outdir):
    try:
        from test import pickletester
        classes = load_test_classes()
    except Exception:
        traceback.print_exc()
        print('no usable test/pickletester.py in this interpreter', file=sys.stderr)
        sys.exit(3)
    names = sorted(n for n in dir(pickletester.AbstractUnpickleTests)
                   if n.startswith('test_') and n not in SKIPPED_TESTS)
    suite = unittest.TestSuite()
    for label, cls in classes:
        recorder = recording(label, cls)
        for n in names:
            suite.addTest(recorder(n))
    import io
    stream = io.StringIO() if not PY2 else __import__('StringIO').StringIO()
    result = unittest.TextTestRunner(stream=stream, verbosity=0).run(suite)
    problems = ['%s: %s' % (t.id(), tb.strip().splitlines()[-1]) for t, tb in result.failures + result.errors]
    if not os.path.isdir(outdir):
        os.makedirs(outdir)
    version = '%d.%d.%d' % sys.version_info[:3]
    describe.dump_json({'python': version, 'tests_run': result.testsRun, 'cpython_test_problems': problems,
                        'skipped_tests': sorted(SKIPPED_TESTS), 'unpicklers': [label for label, _ in classes],
                        'entries': [CORPUS.entries[k] for k in CORPUS.order]},
                       os.path.join(outdir, 'corpus.json'))
    print('%s: %d tests run (%d failed in CPython itself), %d distinct pickles recorded'
          % (version, result.testsRun, len(problems), len(CORPUS.order)))


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit('usage: pickletester_corpus.py OUTDIR')
    main(sys.argv[1])
