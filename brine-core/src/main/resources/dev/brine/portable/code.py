# Brine portable runtime, code section: CPython code objects, built only on the minor version whose bytecode
# they hold (bytecode of another version crashes the interpreter or computes wrong results).
def need(major, minor):
    v = sys.version_info
    if (v[0], v[1]) != (major, minor):
        raise RuntimeError('this pickle holds CPython %d.%d bytecode, which only CPython %d.%d runs; this '
                           'interpreter is %d.%d.%d' % (major, minor, major, minor, v[0], v[1], v[2]))


def code_for(major, minor):
    # The code constructor of a stream written on CPython major.minor: it checks again at each call, so a body
    # loaded without its header fails as cleanly. dill 0.3.6+ puts co_lnotab first on 3.10+; it is not a field.
    def code(*args):
        need(major, minor)
        if args and type(args[0]) is not int:
            args = args[1:]
        return type(need.__code__)(*args)
    return code


def _types(major, minor, name):
    if name == 'CodeType':
        return code_for(major, minor)
    if name == 'ClassType':
        return type
    import types
    t = getattr(types, name, None)
    if t is None:
        t = {'PartialType': 'functools.partial', 'SuperType': 'builtins.super',
             'ItemGetterType': 'operator.itemgetter', 'AttrGetterType': 'operator.attrgetter'}.get(name)
        if t is None:
            t = getattr(__import__('builtins'), name[:-4].lower() if name.endswith('Type') else name, None)
            if not isinstance(t, type):
                raise AttributeError('no type named %r' % name)
        else:
            m, n = t.split('.')
            t = getattr(__import__(m), n)
    return t


def types_for(major, minor):
    # Types by their name in module types (dill's _load_type, cloudpickle's _builtin_type); CodeType is version
    # checked. A stream without code objects passes (0, 0), so CodeType fails there.
    return lambda name: _types(major, minor, name)
