# -*- coding: utf-8 -*-
"""Writes the scanner's corpus: benign files a scanner must pass, and malicious ones, one or more per known
evasion class, that it must flag.

Usage: python3 scan_corpus.py OUTDIR        (Python 3.6+; numpy and cloudpickle used when present)

Every file goes to OUTDIR/benign/ or OUTDIR/malicious/, and OUTDIR/manifest.json lists them as
{"file": "malicious/memo_indirect.pkl", "class": "memo-indirect names", "malicious": true}. Nothing here is ever
unpickled: the malicious payloads only name harmless commands (`id`, `echo`) and are written, not run.

PyTorch and joblib are not needed: their layouts are written by hand, with stand-in modules registered under
their names so the stock pickler writes the very globals the real libraries write.
"""
import io
import json
import os
import pickle
import struct
import sys
import types
import zipfile

try:
    import numpy as np
except ImportError:  # pragma: no cover - numpy is on the development machines
    np = None
try:
    import cloudpickle
except ImportError:  # pragma: no cover
    cloudpickle = None

MANIFEST = []


def write(outdir, kind, name, data, cls):
    path = os.path.join(outdir, kind, name)
    with open(path, 'wb') as f:
        f.write(data)
    MANIFEST.append({'file': kind + '/' + name, 'class': cls, 'malicious': kind == 'malicious'})


# ---- opcodes written by hand, for payloads no pickler writes ----

def binunicode(s):
    b = s.encode('utf-8')
    return b'X' + struct.pack('<I', len(b)) + b


def short_binstring(s):
    b = s.encode('latin1')
    return b'U' + bytes([len(b)]) + b


def binbytes(b):
    return b'B' + struct.pack('<I', len(b)) + b


def global0(module, name):
    return b'c' + module.encode() + b'\n' + name.encode() + b'\n'


def call0(module, name, *args):
    """A protocol 0/1 call: GLOBAL, MARK, args as BINUNICODE, TUPLE, REDUCE."""
    return global0(module, name) + b'(' + b''.join(binunicode(a) for a in args) + b'tR'


class Payload(object):
    """Pickles as a call of `func(*args)`: what any malicious __reduce__ does."""

    def __init__(self, func, *args):
        self.func = func
        self.args = args

    def __reduce__(self):
        return self.func, self.args


# ---- stand-ins for torch and joblib, so the pickler writes their real global names ----

def stub_module(name, **attrs):
    module = types.ModuleType(name)
    for key, value in attrs.items():
        if isinstance(value, type) or callable(value):
            value.__module__ = name
            value.__qualname__ = key
            value.__name__ = key
        setattr(module, key, value)
    sys.modules[name] = module
    return module


def _rebuild_tensor_v2(*args):
    raise AssertionError('never called: the corpus is only written')


class FloatStorage(object):
    pass


class NumpyArrayWrapper(object):
    pass


def install_stubs():
    stub_module('torch', FloatStorage=FloatStorage)
    stub_module('torch._utils', _rebuild_tensor_v2=_rebuild_tensor_v2)
    sys.modules['torch']._utils = sys.modules['torch._utils']
    stub_module('joblib')
    stub_module('joblib.numpy_pickle', NumpyArrayWrapper=NumpyArrayWrapper)


class Tensor(object):
    """Pickles as torch does: _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)."""

    def __init__(self, key, values):
        self.key = key
        self.values = values

    def __reduce__(self):
        from collections import OrderedDict
        storage = TorchStorage(self.key, len(self.values))
        return _rebuild_tensor_v2, (storage, 0, (len(self.values),), (1,), False, OrderedDict())


class TorchStorage(object):
    def __init__(self, key, numel):
        self.key = key
        self.numel = numel


class TorchPickler(pickle.Pickler):
    """Storages become persistent ids, as torch.save writes them."""

    def __init__(self, f, legacy=False):
        pickle.Pickler.__init__(self, f, protocol=2)
        self.legacy = legacy

    def persistent_id(self, obj):
        if isinstance(obj, TorchStorage):
            if self.legacy:
                return ('storage', FloatStorage, obj.key, 'cpu', obj.numel, None)
            return ('storage', FloatStorage, obj.key, 'cpu', obj.numel)
        return None


def torch_pickle(obj, legacy=False):
    buf = io.BytesIO()
    TorchPickler(buf, legacy).dump(obj)
    return buf.getvalue()


def torch_zip(data_pkl, storages, local_name=None):
    """The torch.save ZIP layout: archive/data.pkl, archive/data/<key>, version, byteorder."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', zipfile.ZIP_STORED) as z:
        z.writestr('archive/data.pkl', data_pkl)
        z.writestr('archive/byteorder', b'little')
        for key, values in storages.items():
            z.writestr('archive/data/' + key, struct.pack('<%df' % len(values), *values))
        z.writestr('archive/version', b'3\n')
    data = buf.getvalue()
    if local_name is not None:
        # Rename the entry in its local header only, keeping the length: the central directory still says
        # archive/data.pkl, so readers disagree on what the archive holds.
        old = b'archive/data.pkl'
        assert len(local_name) == len(old)
        at = data.index(old)  # the first occurrence is in the first local header
        data = data[:at] + local_name + data[at + len(old):]
    return data


def torch_legacy(state, sys_info_extra=b''):
    """The pre-1.6 torch.save layout: five pickles (magic, protocol, sys_info, object, storage keys), then data."""
    out = io.BytesIO()
    pickle.dump(0x1950a86a20f9469cfc6c, out, protocol=2)
    pickle.dump(1001, out, protocol=2)
    out.write(sys_info_extra or pickle.dumps({'protocol_version': 1001, 'little_endian': True,
                                               'type_sizes': {'short': 2, 'int': 4, 'long': 4}}, protocol=2))
    out.write(torch_pickle(state, legacy=True))
    keys = sorted(t.key for t in state.values())
    pickle.dump(keys, out, protocol=2)
    for t in sorted(state.values(), key=lambda t: t.key):
        out.write(struct.pack('<q', len(t.values)))
        out.write(struct.pack('<%df' % len(t.values), *t.values))
    return out.getvalue()


class JoblibPickler(pickle._Pickler):
    """joblib's NumpyPickler: an array becomes a NumpyArrayWrapper, its data written right after the wrapper."""

    def __init__(self, f):
        pickle._Pickler.__init__(self, f, protocol=4)
        self.file_handle = f

    def save(self, obj, save_persistent_id=True):
        if np is not None and type(obj) is np.ndarray:
            wrapper = NumpyArrayWrapper()
            wrapper.subclass = np.ndarray
            wrapper.shape = obj.shape
            wrapper.order = 'C'
            wrapper.dtype = obj.dtype
            wrapper.allow_mmap = True
            wrapper.numpy_array_alignment_bytes = 16
            pickle._Pickler.save(self, wrapper)
            self.framer.commit_frame(force=True)
            if obj.dtype.hasobject:
                # joblib loads object arrays with the stock unpickler, from a pickle of their own.
                pickle.dump(obj, self.file_handle, protocol=2)
            else:
                pos = self.file_handle.tell() + 1
                padding = 16 - (pos % 16)
                self.file_handle.write(bytes([padding]) + b'\xff' * padding)
                self.file_handle.write(obj.tobytes())
            return
        pickle._Pickler.save(self, obj, save_persistent_id)


def joblib_dump(obj):
    buf = io.BytesIO()
    JoblibPickler(buf).dump(obj)
    return buf.getvalue()


def npy(array):
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=True)
    return buf.getvalue()


def benign(outdir):
    import collections
    import datetime
    import decimal
    import fractions
    import uuid
    data = {
        'ints': [0, 1, -1, 2 ** 70], 'floats': (1.5, float('inf')), 'text': u'caf\xe9', 'bytes': b'\x00\xff',
        'bytearray': bytearray(b'abc'), 'set': {1, 2}, 'frozenset': frozenset([3]), 'complex': 1 + 2j,
        'ordered': collections.OrderedDict([('a', 1)]), 'deque': collections.deque([1, 2]),
        'counter': collections.Counter('aab'), 'default': collections.defaultdict(int, {'x': 1}),
        'when': datetime.datetime(2024, 1, 2, 3, 4, 5), 'day': datetime.date(2024, 1, 2),
        'delta': datetime.timedelta(seconds=5), 'decimal': decimal.Decimal('1.10'),
        'fraction': fractions.Fraction(1, 3), 'uuid': uuid.UUID(int=5),
    }
    for proto in range(0, pickle.HIGHEST_PROTOCOL + 1):
        write(outdir, 'benign', 'stdlib_data.p%d.pkl' % proto, pickle.dumps(data, protocol=proto), 'stdlib data')
    # Several pickles in one file, as repeated pickle.dump calls write them.
    write(outdir, 'benign', 'concatenated.pkl', pickle.dumps([1, 2]) + pickle.dumps({'a': 'b'}, 0), 'stdlib data')
    if np is not None:
        arrays = {'f8': np.arange(12, dtype='f8').reshape(3, 4), 'i4': np.arange(5, dtype='i4'),
                  'u': np.array([u'ab', u'c']), 'dt': np.array(['2024-01-01'], dtype='M8[D]'),
                  'rec': np.zeros(2, dtype=[('x', 'f4'), ('y', 'i2')]), 'scalar': np.float32(1.5),
                  'dtype': np.dtype('f8')}
        for proto in (2, 4, 5):
            write(outdir, 'benign', 'numpy_arrays.p%d.pkl' % proto, pickle.dumps(arrays, protocol=proto),
                  'numpy arrays')
        write(outdir, 'benign', 'floats.npy', npy(np.linspace(0, 1, 7)), 'npy')
        write(outdir, 'benign', 'objects.npy', npy(np.array([1, 'two', (3,)], dtype=object)), 'npy object dtype')
        write(outdir, 'benign', 'arrays.joblib', joblib_dump({'a': np.arange(6.0), 'b': [1, 2],
                                                              'o': np.array(['x', None], dtype=object)}),
              'joblib')
        buf = io.BytesIO()
        np.savez(buf, a=np.arange(3), b=np.ones(2))
        write(outdir, 'benign', 'arrays.npz', buf.getvalue(), 'npz')
    if cloudpickle is not None:
        write(outdir, 'benign', 'cloudpickle_data.pkl',
              cloudpickle.dumps({'a': [1, 2.5, 'x'], 'b': (None, True), 'c': {1: b'y'}}), 'cloudpickle of plain data')
    import collections as c
    state = c.OrderedDict([('weight', Tensor('0', [1.0, 2.0, 3.0, 4.0])), ('bias', Tensor('1', [0.5]))])
    write(outdir, 'benign', 'state_dict.pt', torch_zip(torch_pickle(state), {'0': [1.0, 2.0, 3.0, 4.0], '1': [0.5]}),
          'torch state dict (zip)')
    write(outdir, 'benign', 'state_dict_legacy.pt', torch_legacy(state), 'torch state dict (legacy)')


def malicious(outdir):
    system = Payload(os.system, 'id')  # pickles as posix.system('id') on Linux, nt.system on Windows
    write(outdir, 'malicious', 'reduce_os_system.p0.pkl', pickle.dumps(system, protocol=0), 'plain __reduce__')
    write(outdir, 'malicious', 'reduce_os_system.p4.pkl', pickle.dumps(system, protocol=4), 'plain __reduce__')
    write(outdir, 'malicious', 'eval.p2.pkl', pickle.dumps(Payload(eval, '1+1'), protocol=2), 'plain __reduce__')

    # Memo-indirect names: the module and name strings are memoized, and STACK_GLOBAL is fed from the memo, so no
    # GLOBAL opcode and no adjacent strings name the callable.
    memo = (b'\x80\x04(' + binunicode('decoy') + b'\x94' + binunicode('os') + b'\x94' + binunicode('system')
            + b'\x94' + b'1' + b'h\x01h\x02\x93' + binunicode('id') + b'\x85R.')
    write(outdir, 'malicious', 'memo_indirect.pkl', memo, 'memo-indirect names')

    # STRING and SHORT_BINSTRING names: Python 2 str opcodes, which Python 3 reads as str, feed STACK_GLOBAL.
    string_names = b"\x80\x04S'subprocess'\n" + short_binstring('getoutput') + b'\x93' + binunicode('id') + b'\x85R.'
    write(outdir, 'malicious', 'string_names.pkl', string_names, 'STRING names')

    # Dotted names: at protocol 4, find_class walks attributes, so pathlib.os.system is os.system.
    dotted = b'\x80\x04' + binunicode('pathlib') + binunicode('os.system') + b'\x93' + binunicode('id') + b'\x85R.'
    write(outdir, 'malicious', 'dotted_name.pkl', dotted, 'dotted names')
    dotted_builtins = (b'\x80\x04' + binunicode('collections') + binunicode('__builtins__.eval') + b'\x93'
                       + binunicode('1+1') + b'\x85R.')
    write(outdir, 'malicious', 'dotted_builtins.pkl', dotted_builtins, 'dotted names')

    # Compat names: below protocol 3, _compat_pickle maps __builtin__ to builtins and commands to subprocess.
    write(outdir, 'malicious', 'compat_builtin_eval.pkl', b'\x80\x02' + call0('__builtin__', 'eval', '1+1') + b'.',
          'compat names')
    write(outdir, 'malicious', 'compat_commands.pkl', b'\x80\x02' + call0('commands', 'getoutput', 'id') + b'.',
          'compat names')

    # Junk after STOP: a harmless first pickle, the payload in the second.
    write(outdir, 'malicious', 'second_pickle.pkl', pickle.dumps({'ok': 1}, 2) + pickle.dumps(system, 2),
          'junk after STOP')
    write(outdir, 'malicious', 'payload_then_junk.pkl', pickle.dumps(system, 2) + b'\x00garbage\xff',
          'junk after STOP')

    # A broken stream after the payload: CPython runs the call, then fails; a scanner must keep the finding.
    broken = pickle.dumps(system, 2)[:-1] + b'\x94\x94\x02\x03'
    write(outdir, 'malicious', 'broken_after_payload.pkl', broken, 'broken stream after the payload')
    truncated = pickle.dumps([system, 'x' * 50], 2)[:-20]
    write(outdir, 'malicious', 'truncated_after_payload.pkl', truncated, 'broken stream after the payload')

    # A nested pickle in bytes: the outer pickle looks like data; the bytes are loaded by a second stage.
    inner = pickle.dumps(system, 2)
    write(outdir, 'malicious', 'nested_loads.pkl', pickle.dumps(Payload(pickle.loads, inner), 2),
          'nested pickle inside bytes')
    write(outdir, 'malicious', 'nested_in_data.pkl', pickle.dumps({'config': inner, 'n': 1}, 4),
          'nested pickle inside bytes')

    # ZIP name mismatch: the local header calls data.pkl something else than the central directory does.
    state = {'w': Tensor('0', [1.0])}
    evil_data_pkl = torch_pickle(state)[:-1] + b'0' + pickle.dumps(system, 2)[2:]
    write(outdir, 'malicious', 'zip_name_mismatch.pt',
          torch_zip(torch_pickle(state), {'0': [1.0]}, local_name=b'archive/data.pk_'), 'ZIP name mismatch')
    write(outdir, 'malicious', 'torch_zip_payload.pt', torch_zip(evil_data_pkl, {'0': [1.0]}), 'torch payload')
    write(outdir, 'malicious', 'torch_legacy_payload.pt',
          torch_legacy({'w': Tensor('0', [1.0])}, sys_info_extra=pickle.dumps(system, 2)), 'torch payload')

    # Unusual callables that reach os: not os or subprocess by name.
    import pydoc
    write(outdir, 'malicious', 'pydoc_pipepager.pkl', pickle.dumps(Payload(pydoc.pipepager, 'x', 'id'), 2),
          'unusual callable reaching os')
    write(outdir, 'malicious', 'getattr_chain.pkl',
          b'\x80\x02' + global0('builtins', 'getattr') + b'(' + global0('builtins', '__import__')
          + b'(' + binunicode('os') + b'tR' + binunicode('system') + b'tR(' + binunicode('id') + b'tR.',
          'unusual callable reaching os')
    write(outdir, 'malicious', 'unknown_module_call.pkl', b'\x80\x02' + call0('helpers.shell', 'run_it', 'id') + b'.',
          'unusual callable reaching os')

    if np is not None:
        write(outdir, 'malicious', 'object_array.npy', npy(np.array([system], dtype=object)), 'npy object dtype')
        write(outdir, 'malicious', 'object_array.joblib',
              joblib_dump({'a': np.arange(3.0), 'o': np.array([system], dtype=object)}), 'joblib')


def main(outdir):
    for kind in ('benign', 'malicious'):
        path = os.path.join(outdir, kind)
        if not os.path.isdir(path):
            os.makedirs(path)
    install_stubs()
    benign(outdir)
    malicious(outdir)
    with open(os.path.join(outdir, 'manifest.json'), 'w') as f:
        json.dump(MANIFEST, f, indent=1)
    print('wrote %d files to %s' % (len(MANIFEST), outdir))


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit('usage: scan_corpus.py OUTDIR')
    main(sys.argv[1])
