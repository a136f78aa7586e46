"""dill and cloudpickle streams rewritten by Brine's portable mode, for dev.brine.portable.PortableLibraryTest
(issue #20 part 2).

python portable_library.py emit dill|dill-recurse|cloudpickle
    Pickles every case with the library at protocols 2 to 5 and prints tab-separated lines
      PICKLE  library-version  case  protocol  hex  text
    where text is check(case, loaded), loaded being what the library's own load gives from its own bytes.
    dill-recurse is dill with recurse=True (function globals pickled by value, not taken from __main__); the cases
    dill itself cannot pickle that way print "NOPICKLE  case  protocol  error" instead.
python -I -S portable_library.py check
    Run where dill and cloudpickle do not import (asserted: prints "NOLIB dill|cloudpickle yes|no"). Reads
    "id  case  protocol  hex" lines (streams Brine rewrote) and, for each, loads it with the C unpickler (_pickle)
    and then with the pure-Python one (pickle._Unpickler), in this one process, printing
      RESULT  id  c|py  text      check(case, loaded), or the error
      MODULES id  c|py  names     what sys.modules gained that the stream does not name ('-' for nothing)
      SAME    id  yes|no          whether the two loads gave the same class (cloudpickle keeps class identity)
    and at the end "REINSTALLS n": how many of the runtime's functions a later load replaced (0: it installed once).
python -I -S portable_library.py foreign
    Reads "id  hex  body-hex" lines and loads each stream, then its body alone (the stream without its header),
    with pickle.loads; prints "FOREIGN  id  text" and "BODY  id  text": the error, or 'loaded'.
"""
import pickle
import sys


def foreign():
    # Runs on CPython 3.6 too, so it comes before the imports the cases need (dataclasses is 3.7+).
    for line in sys.stdin:
        if line.strip():
            ident, hx, body = line.rstrip('\n').split('\t')
            for kind, data in (('FOREIGN', hx), ('BODY', body)):
                try:
                    pickle.loads(bytes.fromhex(data))
                    text = 'loaded'
                except Exception as e:
                    text = 'error ' + type(e).__name__ + ': ' + str(e)
                print('\t'.join([kind, ident, text]))
                sys.stdout.flush()


if __name__ == '__main__' and sys.argv[1:2] == ['foreign']:
    foreign()
    sys.exit(0)

import dataclasses  # noqa: E402
import enum  # noqa: E402
import functools  # noqa: E402
import io  # noqa: E402
import types  # noqa: E402

SCALE = 10


def canon(v):
    if v is None or type(v) in (bool, int, float, str):
        return repr(v)
    if type(v) in (tuple, list):
        return type(v).__name__ + '[' + ', '.join(canon(x) for x in v) + ']'
    if type(v) is dict:
        return '{' + ', '.join(canon(k) + ': ' + canon(x) for k, x in v.items()) + '}'
    return '<' + type(v).__name__ + '>'


# ---- the cases live in __main__, so dill and cloudpickle pickle them by value ----

def function(a, b=2, *args, c=3, **kw):
    "adds things"
    return (a + b + c) * SCALE + len(args) + len(kw)


def kwonly(x, *, y=7, z='z'):
    return str(x * y) + z


def annotated(x: int, *, y: str = 'k') -> str:
    """has annotations"""
    return str(x) + y


lam = lambda x, y=5: x * y + SCALE  # noqa: E731


def make_adder(n, k):
    def add(x):
        return x + n * k
    return add


def make_counter():
    count = [0]

    def step():
        count[0] += 1
        return count[0]
    return step


def make_fact():
    def fact(n):
        return 1 if n <= 1 else n * fact(n - 1)
    return fact


def make_unbound():
    def f():
        return later
    return f
    later = 1  # noqa: F841  never runs: the closure's cell stays empty


def nested(x):
    def helper(y):
        return y * 2
    return helper(x) + 1


class Base:
    def __init__(self, v):
        self.v = v

    def twice(self):
        return self.v * 2


class Child(Base):
    """A child."""
    __slots__ = ()

    def twice(self):
        return super().twice() + 1

    @property
    def prop(self):
        return self.v + 100

    @classmethod
    def make(cls, v):
        return cls(v)

    @staticmethod
    def static(a):
        return a * 3


class Slotted:
    __slots__ = ('a', 'b')

    def __init__(self, a, b):
        self.a = a
        self.b = b

    def total(self):
        return self.a + self.b


class Color(enum.Enum):
    RED = 1
    GREEN = 2

    def describe(self):
        return self.name.lower() + str(self.value)


@dataclasses.dataclass
class Pair:
    x: int
    y: int = 4

    def total(self):
        return self.x + self.y


def dynamic_module():
    m = types.ModuleType('brine_dynamic')
    m.K = 5
    exec('def times(x):\n    return x * K\n', m.__dict__)
    return m


def cases():
    adder = make_adder(3, 4)
    return {
        'function': function,
        'kwonly': kwonly,
        'annotated': annotated,
        'lambda': lam,
        'closure': adder,
        'closure_cell_list': make_counter(),
        'recursive_closure': make_fact(),
        'empty_cell': make_unbound(),
        'nested': nested,
        'class_child': Child,
        'instance_child': Child(7),
        'slots': Slotted,
        'slots_instance': Slotted(1, 2),
        'enum': Color,
        'enum_member': Color.GREEN,
        'dataclass': Pair,
        'dataclass_instance': Pair(2),
        'partial': functools.partial(function, 1, c=5),
        'bound_method': Base(6).twice,
        'module': dynamic_module(),
        'singletons': [NotImplemented, Ellipsis, range(1, 10, 3)],
        'list_of_functions': [function, adder, lam, make_fact()],
        'dict_of_functions': {'f': function, 'g': make_adder(1, 1), 'cls': Child},
    }


def check(name, v):
    try:
        if name == 'function':
            return canon([v(1), v(1, 2, 3, 4, c=1, z=2), v.__doc__, v.__defaults__, v.__kwdefaults__, v.__name__])
        if name == 'kwonly':
            return canon([v(2), v(2, y=1, z='q'), v.__kwdefaults__])
        if name == 'annotated':
            return canon([v(3), v(3, y='z'), v.__doc__, sorted(v.__annotations__)])
        if name == 'lambda':
            return canon([v(2), v(2, 3)])
        if name == 'closure':
            return canon([v(1), v(10)])
        if name == 'closure_cell_list':
            return canon([v(), v(), v()])
        if name == 'recursive_closure':
            return canon([v(5), v(1)])
        if name == 'nested':
            return canon([v(4)])
        if name == 'empty_cell':
            return canon([v.__code__.co_freevars, v()])
        if name == 'class_child':
            o = v.make(5)
            return canon([o.twice(), o.prop, v.static(2), v.__name__, v.__doc__, [c.__name__ for c in v.__mro__]])
        if name == 'instance_child':
            return canon([v.twice(), v.prop, v.static(3), v.v])
        if name == 'slots':
            return canon([v(3, 4).total(), list(v.__slots__)])
        if name == 'slots_instance':
            return canon([v.total(), v.a])
        if name == 'enum':
            return canon([[m.name for m in v], v(2).describe(), v['RED'].value])
        if name == 'enum_member':
            return canon([v.name, v.value, v.describe()])
        if name == 'dataclass':
            return canon([v(1).total(), v(1, 2).total(), repr(v(1)), [f.name for f in dataclasses.fields(v)]])
        if name == 'dataclass_instance':
            return canon([v.total(), repr(v)])
        if name == 'partial':
            return canon([v(), v(4), v.args, sorted(v.keywords)])
        if name == 'bound_method':
            return canon([v()])
        if name == 'singletons':
            return canon([v[0] is NotImplemented, v[1] is Ellipsis, list(v[2])])
        if name == 'module':
            return canon([v.__name__, v.K, v.times(3)])
        if name == 'list_of_functions':
            return canon([v[0](2), v[1](2), v[2](2), v[3](4)])
        if name == 'dict_of_functions':
            return canon([v['f'](3), v['g'](3), v['cls'](2).twice()])
    except Exception as e:  # the Java side compares text: a failure shows as its exception
        return 'error ' + type(e).__name__ + ': ' + str(e)
    return 'unknown case ' + name


def identity_key(name, v):
    """The class a case's value makes, whose identity cloudpickle keeps across loads; None for the others."""
    if name in ('class_child', 'slots', 'enum', 'dataclass'):
        return v
    if name in ('instance_child', 'slots_instance', 'enum_member', 'dataclass_instance'):
        return type(v)
    return None


def emit(libname):
    options = {}
    if libname.startswith('dill'):
        import dill as lib
        if libname == 'dill-recurse':
            options['recurse'] = True
    else:
        import cloudpickle as lib
    for name, obj in cases().items():
        for proto in range(2, 6):
            try:
                p = lib.dumps(obj, protocol=proto, **options)
            except RecursionError as e:  # dill's recurse=True on a self-recursive closure
                print('\t'.join(['NOPICKLE', name, str(proto), type(e).__name__]))
                continue
            try:
                again = check(name, lib.loads(p))
            except Exception as e:
                again = 'error ' + type(e).__name__ + ': ' + str(e)
            print('\t'.join(['PICKLE', libname + '-' + lib.__version__, name, str(proto), p.hex(), again]))


def named_modules(data):
    """The modules a stream's GLOBAL and STACK_GLOBAL opcodes name (a stream may import these)."""
    import pickletools
    names = set()
    strings = []
    for op, arg, _ in pickletools.genops(data):
        if op.name == 'GLOBAL':
            names.add(arg.split(' ')[0])
        elif op.name == 'STACK_GLOBAL' and len(strings) >= 2:
            names.add(strings[-2])
        if isinstance(arg, str):
            strings.append(arg)
    out = set()
    if '_codecs' in names:
        out.add('encodings.latin_1')   # _codecs.encode(text, 'latin1'), bytes below protocol 3, imports its codec
    for n in names:
        parts = n.split('.')
        out.update('.'.join(parts[:i + 1]) for i in range(len(parts)))
    return out


def check_all():
    for lib in ('dill', 'cloudpickle'):
        try:
            __import__(lib)
            print('NOLIB\t%s\tno' % lib)
        except ImportError:
            print('NOLIB\t%s\tyes' % lib)
    import pickletools  # noqa: F401  imported before any load, so it is not counted as the stream's
    import _pickle
    rows = [line.rstrip('\n').split('\t') for line in sys.stdin if line.strip()]
    runtime = {}
    replaced = 0
    for ident, name, proto, hx in rows:
        data = bytes.fromhex(hx)
        allowed = named_modules(data) | {'_brine1'}
        loaded = []
        for kind in ('c', 'py'):
            before = set(sys.modules)
            try:
                v = _pickle.loads(data) if kind == 'c' else pickle._Unpickler(io.BytesIO(data)).load()
                text = check(name, v)
                loaded.append(v)
            except Exception as e:
                text = 'error ' + type(e).__name__ + ': ' + str(e)
            gained = sorted(set(sys.modules) - before - allowed)
            print('\t'.join(['RESULT', ident, kind, text]))
            print('\t'.join(['MODULES', ident, kind, ','.join(gained) or '-']))
            module = sys.modules.get('_brine1')
            for k, f in (vars(module).items() if module else ()):
                if callable(f):
                    if runtime.setdefault(k, f) is not f:
                        replaced += 1
                        runtime[k] = f
        if len(loaded) == 2 and identity_key(name, loaded[0]) is not None:
            same = identity_key(name, loaded[0]) is identity_key(name, loaded[1])
            print('\t'.join(['SAME', ident, 'yes' if same else 'no']))
    print('REINSTALLS\t%d\t%d' % (replaced, len(runtime)))


if __name__ == '__main__':
    mode = sys.argv[1]
    if mode == 'emit':
        emit(sys.argv[2])
    elif mode == 'check':
        check_all()
