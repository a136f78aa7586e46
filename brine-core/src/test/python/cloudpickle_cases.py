"""cloudpickle cases for dev.brine.cloudpickle.CloudpickleTest. Needs cloudpickle (python3 on this machine has 2.1.0).

python3 cloudpickle_cases.py emit
    Pickles each case with cloudpickle at protocols 0 to 5 and prints tab-separated lines:
      PICKLE  case  protocol  hex        the pickle
      EXPECT  case  key       text       what Python reports about the case (co_name, co_varnames, ...), each
                                         value as canon() writes it; the Java test computes the same text from
                                         Brine's views and compares
      CALL    case  text                 canon() of check(case, obj) on the original object
python3 cloudpickle_cases.py call
    Reads "case  protocol  hex" lines (pickles Brine rewrote) on stdin, loads each with the stock pickle.loads and
    prints "case  protocol  text": canon() of check(case, loaded), which must equal the CALL line.
"""
import enum
import pickle
import sys

SCALE = 10
OFFSET = 7


def canon(v):
    """repr for the simple values the cases use, and a short stand-in for code objects."""
    if type(v).__name__ == 'code':
        return '<code ' + v.co_name + '>'
    if type(v) in (tuple, list):
        items = [canon(x) for x in v]
        if type(v) is tuple:
            return '(' + ', '.join(items) + (',)' if len(items) == 1 else ')')
        return '[' + ', '.join(items) + ']'
    if type(v) is dict:
        return '{' + ', '.join(canon(k) + ': ' + canon(x) for k, x in v.items()) + '}'
    if v is None or type(v) in (bool, int, float, str):
        return repr(v)
    return '<' + type(v).__name__ + '>'


# ---- the cases: everything here lives in __main__, so cloudpickle pickles it by value ----

def function(a, b=2, *args, c=3, **kw):
    "adds things"
    return (a + b + c) * SCALE + len("xy") + len(args) + len(kw)


lam = lambda x, y=5: x * y + OFFSET  # noqa: E731


def make_adder(n, k):
    def add(x):
        return x + n * k
    return add


def nested(x):
    def helper(y):
        return y * 2
    return helper(x) + 1


class Point:
    """A point."""
    dim = 2

    def __init__(self, x, y):
        self.x = x
        self.y = y

    def norm2(self, scale=1):
        return (self.x * self.x + self.y * self.y) * scale


class Color(enum.Enum):
    RED = 1
    GREEN = 'g'

    def describe(self):
        return self.name.lower()


CASES = {
    'function': function,
    'lambda': lam,
    'closure': make_adder(3, 4),
    'nested': nested,
    'class': Point,
    'enum': Color,
}


def check(name, obj):
    """What the case computes, run on the original object and again on the one loaded from Brine's bytes."""
    if name == 'function':
        return (obj(1), obj(1, 5, 6, c=0, z=1))
    if name == 'lambda':
        return (obj(3), obj(3, 2))
    if name == 'closure':
        return obj(5)
    if name == 'nested':
        return obj(20)
    if name == 'class':
        p = obj(3, 4)
        return (type(p).__name__, obj.dim, p.norm2(), p.norm2(2), obj.__doc__)
    if name == 'enum':
        return ([(m.name, m.value) for m in obj], obj(1).describe(), obj['GREEN'].value)
    raise ValueError(name)


def code_facts(co):
    n = co.co_argcount + co.co_kwonlyargcount
    facts = {
        'co_name': co.co_name,
        'co_qualname': getattr(co, 'co_qualname', None),
        'argnames': list(co.co_varnames[:n]),
        'varargs': co.co_varnames[n] if co.co_flags & 0x04 else None,
        'varkw': co.co_varnames[n + (1 if co.co_flags & 0x04 else 0)] if co.co_flags & 0x08 else None,
        'argcount': co.co_argcount,
        'posonly': getattr(co, 'co_posonlyargcount', 0),
        'kwonly': co.co_kwonlyargcount,
        'co_varnames': list(co.co_varnames),
        'co_consts': list(co.co_consts),
        'co_names': list(co.co_names),
        'co_filename': co.co_filename,
        'co_firstlineno': co.co_firstlineno,
        'co_freevars': list(co.co_freevars),
        'co_cellvars': list(co.co_cellvars),
    }
    return facts


def function_facts(f):
    facts = {'kind': 'function'}
    facts.update(code_facts(f.__code__))
    facts.update({
        '__name__': f.__name__,
        '__qualname__': f.__qualname__,
        '__module__': f.__module__,
        '__doc__': f.__doc__,
        '__defaults__': f.__defaults__ or (),
        '__kwdefaults__': f.__kwdefaults__ or {},
        'globals': sorted(k for k in f.__code__.co_names if k in f.__globals__),
        'closure': [c.cell_contents for c in f.__closure__ or ()],
    })
    consts = [c for c in f.__code__.co_consts if type(c).__name__ == 'code']
    if consts:
        facts['nested'] = code_facts(consts[0])
    return facts


def class_facts(cls):
    is_enum = isinstance(cls, enum.EnumMeta)
    facts = {
        'kind': 'enum' if is_enum else 'class',
        '__name__': cls.__name__,
        '__module__': cls.__module__,
        '__doc__': cls.__doc__ if '__doc__' in cls.__dict__ else None,
        'bases': [b.__module__ + '.' + b.__qualname__ for b in cls.__bases__],
        # Functions defined in the class body: cloudpickle pickles these by value (inherited ones like
        # Enum.__new__ by reference).
        'methods': sorted(k for k, v in cls.__dict__.items()
                          if type(v).__name__ == 'function' and v.__module__ == '__main__'),
    }
    if is_enum:
        facts['__qualname__'] = cls.__qualname__
        facts['members'] = {m.name: m.value for m in cls}
    else:
        facts['dim'] = cls.dim
        facts['norm2'] = code_facts(cls.__dict__['norm2'].__code__)
    return facts


def emit():
    import cloudpickle
    for name, obj in CASES.items():
        for protocol in range(0, 6):
            print('PICKLE\t%s\t%d\t%s' % (name, protocol, cloudpickle.dumps(obj, protocol=protocol).hex()))
        facts = class_facts(obj) if isinstance(obj, type) else function_facts(obj)
        for key, value in flatten('', facts):
            print('EXPECT\t%s\t%s\t%s' % (name, key, value))
        print('CALL\t%s\t%s' % (name, canon(check(name, obj))))


def flatten(prefix, facts):
    for key, value in facts.items():
        if type(value) is dict and key in ('nested', 'norm2'):
            yield from flatten(prefix + key + '.', value)
        else:
            yield prefix + key, canon(value)


def call():
    for line in sys.stdin.read().splitlines():
        if line:
            name, protocol, data = line.split('\t')
            print('%s\t%s\t%s' % (name, protocol, canon(check(name, pickle.loads(bytes.fromhex(data))))))


if __name__ == '__main__':
    {'emit': emit, 'call': call}[sys.argv[1]]()
