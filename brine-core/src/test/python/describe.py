# -*- coding: utf-8 -*-
"""What CPython builds when it unpickles, written as a description that Brine's Java tests can compare with.

Runs under Python 2.7 and 3.6+. Shared by catalogue.py and pickletester_corpus.py.

CPython runs code while unpickling: a REDUCE calls a function, a BUILD calls __setstate__. Brine never does; it keeps
an inert node that records the call instead. To describe an object so that Java can match it, we load the pickle with
CPython's own pure-Python unpickler, traced: every REDUCE, NEWOBJ, NEWOBJ_EX, INST, OBJ, BUILD, APPEND(S),
SETITEM(S), ADDITEMS and every global lookup still runs exactly as CPython runs it, and we also note what it was
called with. The description then holds CPython's real value, plus, for objects Brine keeps inert, the call that
built them ("built") and the name a global was found under ("global").

Description format (JSON):
  {"root": NODE, "objects": {"1": NODE, ...}, "ordered": bool, "py2names": bool}
Containers and objects (list, dict, set, bytearray, non-empty tuple and frozenset, built objects) appear as
{"t": "ref", "id": N} and are described once in "objects", so sharing and cycles are visible. Other nodes:
  none | bool v | int v (hexadecimal text, '-' for negative) | float v (IEEE bits as hex, or "nan") | complex re im |
  str v (the text; lone surrogates kept as JSON escapes) | str2 hex (a Python 2 str: bytes, decoded per encoding) |
  bytes hex | bytearray hex | tuple items | list items | dict items [[k, v]...] | set items | frozenset items |
  global module name | object kind callable args kwargs states list dict set pytype |
  persid pid | buffer index readonly | unknown repr
"""
from __future__ import print_function

import binascii
import json
import pickle
import struct
import sys
import types

PY2 = sys.version_info[0] == 2

if PY2:
    import cPickle
    PurePickler = pickle.Pickler
    PureUnpickler = pickle.Unpickler
    TEXT_TYPES = (unicode,)  # noqa: F821 (Python 2 only)
    INT_TYPES = (int, long)  # noqa: F821
    c_loads = cPickle.loads
else:
    PurePickler = pickle._Pickler
    PureUnpickler = pickle._Unpickler
    TEXT_TYPES = (str,)
    INT_TYPES = (int,)
    c_loads = pickle.loads
    import _compat_pickle

# Python 3.6 already keeps dict insertion order (CPython implementation detail; guaranteed from 3.7).
ORDERED_DICTS = sys.version_info >= (3, 6)


def _key(opcode):
    """The key of an opcode in the pure-Python unpickler's dispatch table."""
    return opcode if PY2 else opcode[0]


def hexlify(data):
    return binascii.hexlify(bytes(data)).decode('ascii')


class PersistentMarker(object):
    """What the traced unpickler's persistent_load returns, so the id can be described."""

    def __init__(self, pid, text):
        self.pid = pid
        self.text = text  # read by PERSID, whose id CPython 3 always decodes as ASCII text


class Construction(object):
    """How the stream built one object: the call, then what BUILD and the item opcodes added to it."""

    def __init__(self, obj, kind, callable_, args, kwargs):
        self.obj = obj
        self.kind = kind
        self.callable = callable_
        self.args = args
        self.kwargs = kwargs
        self.list_items = []
        self.dict_items = []
        self.set_items = []


class TracingUnpickler(PureUnpickler):
    """CPython's pure-Python unpickler, unchanged in behaviour, that notes how every object was built."""

    dispatch = dict(PureUnpickler.dispatch)

    def __init__(self, file, **kwargs):
        PureUnpickler.__init__(self, file, **kwargs)
        self.built = {}     # id(obj) -> Construction (the first one, if a singleton is returned twice)
        self.states = {}    # id(obj) -> [state, ...] given by BUILD
        self.names = {}     # id(obj) -> (module, name) it was found under
        self.keep = []      # keeps traced objects alive so their ids stay unique
        self.last_global = None
        self.reading_persid = False

    def persistent_load(self, pid):
        marker = PersistentMarker(pid, self.reading_persid)
        self.reading_persid = False
        self.keep.append(marker)
        return marker

    def find_class(self, module, name):
        mapped = (module, name)
        # As pickle._Unpickler.find_class: Python 2 names are renamed below protocol 3 when fix_imports is on.
        if not PY2 and self.proto < 3 and self.fix_imports:
            if (module, name) in _compat_pickle.NAME_MAPPING:
                mapped = _compat_pickle.NAME_MAPPING[(module, name)]
            elif module in _compat_pickle.IMPORT_MAPPING:
                mapped = (_compat_pickle.IMPORT_MAPPING[module], name)
        obj = PureUnpickler.find_class(self, module, name)
        self.names[id(obj)] = mapped
        self.keep.append(obj)
        self.last_global = obj
        return obj

    # -- helpers that read the stack the way each Python's pure unpickler lays it out --

    def _mark_items(self):
        if PY2:
            k = self.marker()
            return list(self.stack[k + 1:])
        return list(self.stack)

    def _mark_target(self):
        if PY2:
            k = self.marker()
            return self.stack[k - 1]
        return self.metastack[-1][-1]

    def _record(self, obj, kind, callable_, args, kwargs=None):
        self.keep.extend([obj, callable_, args, kwargs])
        if id(obj) not in self.built:
            self.built[id(obj)] = Construction(obj, kind, callable_, args, kwargs)


def _traced(opcode):
    """Wraps the unpickler's handler of `opcode` with a before/after pair; tracing never changes the outcome."""
    original = PureUnpickler.dispatch[_key(opcode)]

    def decorate(trace):
        def handler(self):
            try:
                before = trace(self)
                after = next(before)
            except Exception:
                before = None
            original(self)
            if before is not None:
                try:
                    before.send(None)
                except StopIteration:
                    pass
        TracingUnpickler.dispatch[_key(opcode)] = handler
        return trace
    return decorate


@_traced(pickle.PERSID)
def _persid(self):
    self.reading_persid = True
    yield


@_traced(pickle.REDUCE)
def _reduce(self):
    func, args = self.stack[-2], self.stack[-1]
    yield
    self._record(self.stack[-1], 'REDUCE', func, args)


@_traced(pickle.NEWOBJ)
def _newobj(self):
    cls, args = self.stack[-2], self.stack[-1]
    yield
    self._record(self.stack[-1], 'NEWOBJ', cls, args)


if hasattr(pickle, 'NEWOBJ_EX'):
    @_traced(pickle.NEWOBJ_EX)
    def _newobj_ex(self):
        cls, args, kwargs = self.stack[-3], self.stack[-2], self.stack[-1]
        yield
        self._record(self.stack[-1], 'NEWOBJ_EX', cls, args, kwargs)


@_traced(pickle.INST)
def _inst(self):
    items = self._mark_items()
    yield
    self._record(self.stack[-1], 'INST', self.last_global, tuple(items))


@_traced(pickle.OBJ)
def _obj(self):
    items = self._mark_items()
    yield
    self._record(self.stack[-1], 'OBJ', items[0], tuple(items[1:]))


@_traced(pickle.BUILD)
def _build(self):
    inst, state = self.stack[-2], self.stack[-1]
    yield
    self.keep.extend([inst, state])
    self.states.setdefault(id(inst), []).append(state)


@_traced(pickle.APPEND)
def _append(self):
    target, item = self.stack[-2], self.stack[-1]
    yield
    if id(target) in self.built:
        self.built[id(target)].list_items.append(item)


@_traced(pickle.APPENDS)
def _appends(self):
    items, target = self._mark_items(), self._mark_target()
    yield
    if id(target) in self.built:
        self.built[id(target)].list_items.extend(items)


@_traced(pickle.SETITEM)
def _setitem(self):
    target, key, value = self.stack[-3], self.stack[-2], self.stack[-1]
    yield
    if id(target) in self.built:
        self.built[id(target)].dict_items.append((key, value))


@_traced(pickle.SETITEMS)
def _setitems(self):
    items, target = self._mark_items(), self._mark_target()
    yield
    if id(target) in self.built:
        pairs = self.built[id(target)].dict_items
        for i in range(0, len(items) - 1, 2):
            pairs.append((items[i], items[i + 1]))


if hasattr(pickle, 'ADDITEMS'):
    @_traced(pickle.ADDITEMS)
    def _additems(self):
        items, target = self._mark_items(), self._mark_target()
        yield
        if id(target) in self.built:
            self.built[id(target)].set_items.extend(items)


def float_bits(x):
    if x != x:
        return 'nan'
    return hexlify(struct.pack('>d', x))


class Describer(object):
    """Turns a value loaded by a TracingUnpickler into a description."""

    def __init__(self, tracer, buffers=()):
        self.tracer = tracer
        self.buffers = list(buffers)
        self.objects = {}
        self.ids = {}
        self.keep = []

    def document(self, value):
        root = self.describe(value)
        return {'root': root, 'objects': self.objects, 'ordered': ORDERED_DICTS, 'py2names': PY2}

    def _ref(self, obj, fill):
        key = id(obj)
        if key in self.ids:
            return {'t': 'ref', 'id': self.ids[key]}
        n = len(self.ids) + 1
        self.ids[key] = n
        self.keep.append(obj)
        node = {}
        self.objects[str(n)] = node
        node.update(fill())   # children may refer back to this id: that is how cycles show
        self._alternatives(obj, node)
        return {'t': 'ref', 'id': n}

    def _alternatives(self, obj, node):
        """For values CPython made by calling something, also say what the stream called (Brine may stay inert)."""
        rec = self.tracer.built.get(id(obj))
        if rec is not None and node.get('t') != 'object':
            node['built'] = self._object(rec)
        name = self.tracer.names.get(id(obj))
        if name is not None and node.get('t') != 'global':
            node['global'] = {'t': 'global', 'module': name[0], 'name': name[1]}

    def _object(self, rec):
        states = self.tracer.states.get(id(rec.obj), [])
        node = {
            't': 'object',
            'kind': rec.kind,
            'callable': self.describe(rec.callable),
            'args': self.describe(rec.args),
            'kwargs': None if rec.kwargs is None else self.describe(rec.kwargs),
            'states': [self.describe(s) for s in states],
            'list': [self.describe(i) for i in rec.list_items],
            'dict': [[self.describe(k), self.describe(v)] for k, v in rec.dict_items],
            'set': [self.describe(i) for i in rec.set_items],
            'pytype': _qualified(type(rec.obj)),
        }
        return node

    def describe(self, x):
        node = self._describe(x)
        if node.get('t') != 'ref':
            self._alternatives(x, node)
        return node

    def _describe(self, x):
        t = type(x)
        for i, b in enumerate(self.buffers):
            if x is b:
                return {'t': 'buffer', 'index': i, 'readonly': False}
        if t is memoryview:
            for i, b in enumerate(self.buffers):
                if x.obj is b:
                    return {'t': 'buffer', 'index': i, 'readonly': bool(x.readonly)}
        if x is None:
            return {'t': 'none'}
        if t is bool:
            return {'t': 'bool', 'v': x}
        if t in INT_TYPES:
            # Hexadecimal: CPython 3.11+ limits decimal conversion of huge ints, and Java reads base 16 as easily.
            return {'t': 'int', 'v': '%x' % x}
        if t is float:
            return {'t': 'float', 'v': float_bits(x)}
        if t is complex:
            return {'t': 'complex', 're': float_bits(x.real), 'im': float_bits(x.imag)}
        if PY2 and t is str:
            return {'t': 'str2', 'hex': hexlify(x)}
        if t in TEXT_TYPES:
            return {'t': 'str', 'v': x}
        if not PY2 and t is bytes:
            return {'t': 'bytes', 'hex': hexlify(x)}
        if t is bytearray:
            return self._ref(x, lambda: {'t': 'bytearray', 'hex': hexlify(x)})
        if t is tuple:
            if not x:
                return {'t': 'tuple', 'items': []}
            return self._ref(x, lambda: {'t': 'tuple', 'items': [self.describe(i) for i in x]})
        if t is list:
            return self._ref(x, lambda: {'t': 'list', 'items': [self.describe(i) for i in x]})
        if t is dict:
            return self._ref(x, lambda: {'t': 'dict',
                                         'items': [[self.describe(k), self.describe(v)] for k, v in x.items()]})
        if t is set:
            return self._ref(x, lambda: {'t': 'set', 'items': [self.describe(i) for i in x]})
        if t is frozenset:
            if not x:
                return {'t': 'frozenset', 'items': []}
            return self._ref(x, lambda: {'t': 'frozenset', 'items': [self.describe(i) for i in x]})
        if t is PersistentMarker:
            if PY2 and x.text and type(x.pid) is str:
                return {'t': 'persid', 'pid': {'t': 'str', 'v': x.pid.decode('ascii')}}
            return {'t': 'persid', 'pid': self.describe(x.pid)}
        rec = self.tracer.built.get(id(x))
        if rec is not None:
            return self._ref(x, lambda: self._object(rec))
        name = self.tracer.names.get(id(x))
        if name is not None:
            return {'t': 'global', 'module': name[0], 'name': name[1]}
        if isinstance(x, (type, types.FunctionType, types.BuiltinFunctionType)) or \
                (PY2 and isinstance(x, types.ClassType)):  # noqa
            module, qualname = _qualified(x).rsplit(':', 1)
            return {'t': 'global', 'module': module, 'name': qualname}
        return {'t': 'unknown', 'repr': repr(x)[:300], 'pytype': _qualified(t)}


def _qualified(obj):
    module = getattr(obj, '__module__', None) or '?'
    name = getattr(obj, '__qualname__', None) or getattr(obj, '__name__', '?')
    return '%s:%s' % (module, name)


def traced_load(data, buffers=None, **kwargs):
    """Loads `data` with the traced pure-Python unpickler; returns (value, tracer)."""
    import io
    if buffers is not None:
        kwargs['buffers'] = buffers
    tracer = TracingUnpickler(io.BytesIO(data), **kwargs)
    return tracer.load(), tracer


def describe_load(data, buffers=None, **kwargs):
    """The description of what CPython builds from `data`; raises what CPython raises."""
    value, tracer = traced_load(data, buffers=buffers, **kwargs)
    return Describer(tracer, buffers or ()).document(value)


def dump_json(obj, path):
    text = json.dumps(obj, ensure_ascii=True, sort_keys=True)
    with open(path, 'wb') as f:
        f.write(text.encode('ascii'))
