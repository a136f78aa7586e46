# Brine portable runtime, dill section: what dill 0.3 and 0.4 streams call, for the stock unpickler. Never evals.
def d_function(code, globs, name=None, defaults=None, closure=None, fdict=None, kwdefaults=None):
    f = type(need)(code, globs or {}, name, defaults, closure)
    if fdict is not None:
        f.__dict__.update(fdict)
    if kwdefaults is not None:
        f.__kwdefaults__ = kwdefaults
    if '__builtins__' not in f.__globals__:
        f.__globals__['__builtins__'] = __import__('builtins').__dict__
    return f


def d_type(cls, *args):
    return cls(*args)


_EMPTY = globals().get('_EMPTY') or object()


def d_cell(*contents):
    # No argument, or dill's _CELL_EMPTY: an empty cell, as for a closure over a name never bound.
    if contents and contents[0] is not _EMPTY:
        value = contents[0]
    return (lambda: value).__closure__[0]


def d_import(name, safe=False):
    try:
        if name.startswith('__runtime__.'):
            return sys.modules[name]
        if '.' not in name:
            return __import__(name)
        module, attr = name.rsplit('.', 1)
        return getattr(__import__(module, None, None, [attr]), attr)
    except (ImportError, AttributeError, KeyError):
        if safe:
            return None
        raise


def d_namedtuple(name, fields, module, defaults=None):
    t = d_import(module + '.' + name, True)
    if t is None:
        import collections
        t = collections.namedtuple(name, fields, defaults=defaults, module=module)
    return t


def d_getattr(cls, name, repr_str=None):
    # dill evals a name taken from repr_str; the class's own __dict__ holds the same object.
    try:
        return cls.__dict__[name]
    except (AttributeError, KeyError):
        return getattr(cls, name)


def d_singleton(text):
    # dill writes NotImplemented, Ellipsis and ranges as _eval_repr(repr(obj)); read back here without eval.
    if text in ('NotImplemented', 'Ellipsis'):
        return {'NotImplemented': NotImplemented, 'Ellipsis': Ellipsis}[text]
    if text.startswith('range(') and text.endswith(')'):
        return range(*[int(n) for n in text[6:-1].split(', ')])
    raise ValueError('not a repr Brine reads without eval: %r' % text)


class _DillModule(object):
    # Stands for the module dill._dill, which streams reach with getattr for the names below only.
    _create_function = staticmethod(d_function)
    _create_type = staticmethod(d_type)
    _create_cell = staticmethod(d_cell)
    _import_module = staticmethod(d_import)
    _create_namedtuple = staticmethod(d_namedtuple)
    _getattr = staticmethod(d_getattr)
    _setattr = staticmethod(setattr)
    _delattr = staticmethod(delattr)
    _CELL_EMPTY = _EMPTY


d_module = _DillModule()
