"""Loads a pickle with the stock unpickler and reports what Python sees, for Brine's portable-mode tests.

    python -I -S portable_probe.py MODE PICKLE [REPICKLE_PROTOCOL REPICKLE_OUT]

MODE is 'c' (pickle.loads, the C unpickler) or 'py' (pickle._loads, the pure-Python one). Python expressions to
evaluate come on stdin, one per line; each is evaluated with `v` bound to the loaded value, `v2` to a second load
of the same bytes in this process, `before` to the sys.modules keys before loading, and `sys`, `pickle`. The
report on stdout is one line per expression: its repr, or 'ERROR <type>: <message>'. Runs on CPython 3.6+.
"""
import pickle
import sys


def main():
    mode, path = sys.argv[1], sys.argv[2]
    load = pickle.loads if mode == 'c' else pickle._loads
    with open(path, 'rb') as f:
        data = f.read()
    before = set(sys.modules)
    v = load(data)
    after_first = set(sys.modules)
    v2 = load(data)
    if len(sys.argv) > 4:
        with open(sys.argv[4], 'wb') as f:
            f.write(pickle.dumps(v, protocol=int(sys.argv[3])))
    env = {'v': v, 'v2': v2, 'before': before, 'after_first': after_first, 'sys': sys, 'pickle': pickle}
    for line in sys.stdin.read().splitlines():
        if not line.strip():
            continue
        try:
            result = repr(eval(line, env))
        except Exception as e:
            result = 'ERROR %s: %s' % (type(e).__name__, e)
        sys.stdout.write(result.replace('\n', '\\n') + '\n')


main()
