"""Prints numpy arrays, scalars and dtypes pickled by this python3 (numpy 2.x), one per line:
name, protocol, out-of-band buffer count, description, pickle hex, then each out-of-band buffer's hex.

The description is what dev.brine.types.NumpyTypesTest computes from the Java value: dtype str, shape, order and the
items in C order as text. With argument 'load', reads pickles written by Brine from stdin (one hex per line, then a
line with the expected description) and checks numpy loads them equal, printing 'ok' or the problem per line.
"""
import pickle
import sys

import numpy as np


def item_text(x):
    if isinstance(x, (np.datetime64, np.timedelta64)):
        return str(x.astype(np.int64))
    if isinstance(x, (bool, np.bool_)):
        return 'True' if x else 'False'
    if isinstance(x, (np.integer, int)):
        return str(int(x))
    if isinstance(x, np.floating):
        return repr(float(x))
    if isinstance(x, np.complexfloating):
        return '(%r, %r)' % (float(x.real), float(x.imag))
    if isinstance(x, bytes):
        return 'b' + x.hex()
    if isinstance(x, str):
        return "'" + x + "'"
    if isinstance(x, np.void):
        return '{' + ', '.join(n + ': ' + item_text(x[n]) for n in x.dtype.names) + '}'
    raise TypeError(type(x))


def describe(a):
    order = 'F' if a.flags.f_contiguous and not a.flags.c_contiguous and a.ndim > 1 else 'C'
    items = [item_text(x) for x in a.reshape(-1, order='C')] if a.dtype.names is None else \
        [item_text(x) for x in a.reshape(-1)]
    return '%s %s %s [%s]' % (a.dtype.str, list(a.shape), order, ', '.join(items))


def cases():
    out = []
    for t in ['?', 'i1', 'u1', '<i2', '>i2', '<u2', '<i4', '>u4', '<i8', '>i8', '<u8', '<f2', '>f4', '<f4', '<f8',
              '>f8', '<c8', '<c16', '>c16']:
        a = np.array([0, 1, 2, 3, 250, 7], dtype=np.float64).astype(t)
        out.append(('dtype_' + t, a))
    out.append(('uint64_big', np.array([2 ** 64 - 1, 5], dtype='<u8')))
    out.append(('float_specials', np.array([np.inf, -np.inf, -0.0, 1e-300], dtype='<f8')))
    out.append(('datetime64', np.array(['2024-01-02T03:04:05.006', 'NaT'], dtype='<M8[ms]')))
    out.append(('timedelta64', np.array([1, -2], dtype='<m8[D]')))
    out.append(('bytes_S', np.array([b'ab', b'c', b''], dtype='S3')))
    out.append(('str_U', np.array(['ab', '\u00e9\U0001f600', ''], dtype='<U3')))
    out.append(('str_U_be', np.array(['xy'], dtype='>U2')))
    out.append(('structured', np.array([(1.5, b'ab', 7), (-2.0, b'', 8)],
                                       dtype=[('x', '<f4'), ('y', 'S2'), ('z', '>i8')])))
    out.append(('fortran', np.asfortranarray(np.arange(6, dtype='<i4').reshape(2, 3))))
    out.append(('c_2d', np.arange(12, dtype='<f8').reshape(3, 4)))
    out.append(('three_d_f', np.asfortranarray(np.arange(24, dtype='<i2').reshape(2, 3, 4))))
    out.append(('zero_d', np.array(3.25)))
    out.append(('empty', np.zeros((0,), dtype='<f8')))
    out.append(('empty_2d', np.zeros((2, 0), dtype='<i4')))
    out.append(('non_contiguous', np.arange(12, dtype='<i8').reshape(3, 4)[:, ::2]))
    return out


def scalars():
    return [('scalar_f4', np.float32(1.5)), ('scalar_i8', np.int64(-7)), ('scalar_bool', np.bool_(True)),
            ('scalar_c16', np.complex128(1 - 2j)), ('scalar_u2', np.uint16(65535)), ('scalar_f8', np.float64(0.1)),
            ('scalar_str', np.str_('hé'))]


def main():
    if len(sys.argv) > 1 and sys.argv[1] == 'load':
        lines = sys.stdin.read().split('\n')
        for i in range(0, len(lines) - 1, 2):
            data, expected = bytes.fromhex(lines[i]), lines[i + 1]
            try:
                a = pickle.loads(data)
                got = describe(a)
                print('ok' if got == expected else 'differs: numpy loaded ' + got)
            except Exception as e:  # report, the Java side fails the test
                print('error: %r' % (e,))
        return
    for name, a in cases():
        for p in range(2, pickle.HIGHEST_PROTOCOL + 1):
            rows = [(p, 0, pickle.dumps(a, p), [])]
            if p == 5:
                bufs = []
                data = pickle.dumps(a, 5, buffer_callback=bufs.append)
                rows.append((p, len(bufs), data, [bytes(b.raw()) for b in bufs]))
            for proto, n, data, bufs in rows:
                sys.stdout.write('%s\t%d\t%d\t%s\t%s%s\n' % (name, proto, n, describe(a), data.hex(),
                                                            ''.join('\t' + b.hex() for b in bufs)))
    for name, s in scalars():
        for p in range(2, pickle.HIGHEST_PROTOCOL + 1):
            sys.stdout.write('%s\t%d\t0\tscalar %s %s\t%s\n' % (name, p, s.dtype.str, item_text(s),
                                                               pickle.dumps(s, p).hex()))
    # numpy 1.x names its modules numpy.core: the same pickle with the old module path.
    old = pickle.dumps(np.arange(3, dtype='<i8'), 2).replace(b'numpy._core', b'numpy.core')
    sys.stdout.write('numpy1_path\t2\t0\t%s\t%s\n' % (describe(np.arange(3, dtype='<i8')), old.hex()))


if __name__ == '__main__':
    main()
