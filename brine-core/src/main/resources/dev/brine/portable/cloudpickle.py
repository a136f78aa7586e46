# Brine portable runtime, cloudpickle section: what cloudpickle 2.x and 3.x streams call, for the stock unpickler.
# Classes are kept per tracker id, so two loads in one process give one class, as cloudpickle keeps them.
_CP = globals().get('_CP') or {}


def _cp_track(tracker, cls):
    return cls if tracker is None else _CP.setdefault(tracker, cls)


def cp_function(code, globs, name, defaults, closure):
    globs['__builtins__'] = __import__('builtins').__dict__
    return type(need)(code, globs, name, defaults, closure)


def cp_empty_cell():
    if False:
        value = None
    return (lambda: value).__closure__[0]


def cp_cell(*value):
    c = cp_empty_cell()
    if value:
        c.cell_contents = value[0]
    return c


def cp_function_setstate(f, state):
    state, slots = state
    f.__dict__.update(state)
    slots = dict(slots)
    globs = slots.pop('__globals__')
    closure = slots.pop('__closure__')
    slots.pop('_cloudpickle_submodules', None)
    f.__globals__.update(globs)
    f.__globals__['__builtins__'] = __import__('builtins').__dict__
    for i, cell in enumerate(closure or ()):
        try:
            f.__closure__[i].cell_contents = cell.cell_contents
        except ValueError:
            pass
    for k, v in slots.items():
        setattr(f, k, v)


def cp_class_setstate(cls, state):
    state, slots = state
    abc = None
    for k, v in state.items():
        if k == '_abc_impl':
            abc = v
        else:
            setattr(cls, k, v)
    for sub in abc or ():
        cls.register(sub)
    return cls


def cp_class(meta, name, bases, attrs, tracker, extra=None):
    import types
    return _cp_track(tracker, types.new_class(name, bases, {'metaclass': meta}, lambda ns: ns.update(attrs)))


def cp_enum(bases, name, qualname, members, module, tracker, extra=None):
    meta = type(bases[-1])
    ns = meta.__prepare__(name, bases)
    for k, v in members.items():
        ns[k] = v
    e = meta.__new__(meta, name, bases, ns)
    e.__module__ = module
    e.__qualname__ = qualname
    return _cp_track(tracker, e)


def cp_subimport(name):
    __import__(name)
    return sys.modules[name]


def cp_module(name, attrs):
    m = type(sys)(name)
    m.__dict__.update(attrs)
    m.__dict__['__builtins__'] = __import__('builtins').__dict__
    return m


def cp_field_sentinel(name):
    import dataclasses
    return getattr(dataclasses, name)
