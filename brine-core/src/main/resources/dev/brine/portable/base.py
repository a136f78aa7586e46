# Brine portable runtime, base section: the class registry and re-pickling.
# Loaded by a Brine stream's header; see docs/PORTABLE.md. Python 3.6+, standard library only.
_REG = globals().get('_REG') or {}


def cls(spec):
    # One class per (kind, Java name, Python name, names) per interpreter, however many streams carry it.
    c = _REG.get(spec)
    if c is None:
        c = _REG[spec] = globals()['_make_' + spec[0]](spec)
    return c


def importable(name):
    try:
        __import__(name)
        return True
    except ImportError:
        return False


def _b(data):
    return b'B' + len(data).to_bytes(4, 'little') + data


def _s(text):
    data = text.encode('utf-8')
    return b'X' + len(data).to_bytes(4, 'little') + data


def _g(module, name):
    return ('c%s\n%s\n' % (module, name)).encode('ascii')


def _check(attr, version, installer):
    # Loads `installer` only when this interpreter's runtime lacks `attr` at `version` or newer.
    return (_g('_pickle', 'loads') + _g('operator', 'getitem') + _b(installer) + _b(b'N.') + b'\x86'
            + _g('operator', 'ge') + _g('builtins', 'getattr') + _g('builtins', 'getattr') + _g('sys', 'modules')
            + _s('get') + b'\x86R' + _s(__name__) + b'\x85R' + _s(attr) + b'K\x00\x87R'
            + b'K' + bytes([version]) + b'\x86R\x86R\x85R0')


def _header():
    # The same bytes a Java writer emits: the bootstrap check, then one _install call per bundle received.
    core = (_g('builtins', 'exec') + _s(_BOOT) + b'q\x00' + _g('builtins', 'getattr') + _g('builtins', 'getattr')
            + _g('sys', 'modules') + _s('setdefault') + b'\x86R' + _s(__name__) + _g('types', 'ModuleType')
            + _s(__name__) + b'\x85R\x86R' + _s('__dict__') + b'\x86Rq\x01\x86R0'
            + _g('operator', 'setitem') + b'h\x01' + _s('_BOOT') + b'h\x00\x87R.')
    out = _check('core_v', core_v, b'\x80\x02' + core)
    for want, z in _Z:
        out += (_g(__name__, '_install') + b'(' + b''.join(_s(n) + b'K' + bytes([v]) + b'\x86' for n, v in want)
                + b't' + _b(z) + b'\x86R0')
    return out


class _Latin1(object):
    # Below protocol 3 stock pickle writes bytes as _codecs.encode(text, 'latin1'), which imports a codec module
    # where none is loaded yet; str.encode's latin-1 fast path imports nothing.
    def __init__(self, data):
        self.text = data.decode('latin-1')

    def __reduce__(self):
        return str.encode, (self.text, 'latin-1')


class _Boot(object):
    # Stock pickle writes this as _pickle.loads(<header + "return boot">), so objects rebuilt here can be
    # pickled again and loaded where nothing of Brine exists.
    def __reduce_ex__(self, protocol):
        import _pickle
        data = b'\x80\x02' + _header() + _g(__name__, 'boot') + b'.'
        return _pickle.loads, (data if protocol >= 3 else _Latin1(data),)

    def obj(self, spec):
        c = cls(spec)
        return c.__new__(c)

    def member(self, spec, name):
        return getattr(cls(spec), name)

    def function(self, *args):
        return function(*args)


boot = _Boot()


def _repr(obj, pairs, seen=set()):
    if id(obj) in seen:
        return '%s(...)' % type(obj).__name__
    seen.add(id(obj))
    try:
        return '%s(%s)' % (type(obj).__name__, ', '.join('%s=%r' % p for p in pairs))
    finally:
        seen.discard(id(obj))
