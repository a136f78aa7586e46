# Brine portable runtime, bean section: other Java objects as mutable classes with one attribute per field.
class _Bean(object):
    def __init__(self, **fields):
        for f in self._fields:
            setattr(self, f, fields.pop(f, None))
        if fields:
            raise TypeError('%s has no fields %s' % (type(self).__name__, sorted(fields)))

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __repr__(self):
        return _repr(self, [(f, getattr(self, f, None)) for f in self._fields])

    def __reduce_ex__(self, protocol):
        return boot.obj, (self._spec,), self.__dict__


def _make_bean(spec):
    return type(spec[2], (_Bean,), {'_fields': spec[3], '_spec': spec,
                                    '__module__': __name__, '__qualname__': spec[2]})
