# Brine portable runtime, function section: Python functions sent as source, never as bytecode.
class _Function(object):
    # Wraps the real function (__wrapped__): stock pickle writes plain functions by name, which a fresh
    # interpreter could not resolve, while this wrapper pickles itself as its source again.
    def __init__(self, source, name, defaults, closure):
        self._args = (source, name, defaults, closure)
        self._globals = {}
        self._state = {}
        target = '_brine_fn' if name == '<lambda>' else name
        code = source if name != '<lambda>' else '_brine_fn = ' + source
        if closure:
            code = ('def _brine_outer(%s):\n' % ', '.join(closure)
                    + ''.join('    ' + line + '\n' for line in code.splitlines())
                    + '    return ' + target)
            exec(compile(code, '<brine:%s>' % name, 'exec'), self._globals)
            f = self._globals.pop('_brine_outer')(*closure.values())
        else:
            exec(compile(code, '<brine:%s>' % name, 'exec'), self._globals)
            f = self._globals.pop(target)
        if defaults is not None:
            f.__defaults__ = tuple(defaults)
        self.__wrapped__ = f
        self.__name__ = f.__name__
        self.__qualname__ = f.__qualname__
        self.__doc__ = f.__doc__

    def __call__(self, *args, **kwargs):
        return self.__wrapped__(*args, **kwargs)

    def __get__(self, obj, objtype=None):
        import types
        return self if obj is None else types.MethodType(self, obj)

    def __setstate__(self, state):
        self._state = state
        self._globals.update(state)

    def __repr__(self):
        return '<function %s from Brine>' % self.__qualname__

    def __reduce_ex__(self, protocol):
        return boot.function, self._args, self._state


def function(source, name, defaults=None, closure=None):
    return _Function(source, name, defaults, closure)
