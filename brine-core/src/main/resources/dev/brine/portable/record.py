# Brine portable runtime, record section: Java records as immutable value classes.
class _Record(object):
    __slots__ = ()

    def __init__(self, *values):
        if len(values) != len(self._fields):
            raise TypeError('%s takes %d values' % (type(self).__name__, len(self._fields)))
        self.__setstate__(values)

    def __setstate__(self, values):
        for f, v in zip(self._fields, values):
            object.__setattr__(self, f, v)

    def __setattr__(self, name, value):
        raise AttributeError('%s is immutable' % type(self).__name__)

    def __delattr__(self, name):
        raise AttributeError('%s is immutable' % type(self).__name__)

    def _astuple(self):
        return tuple(getattr(self, f) for f in self._fields)

    def __eq__(self, other):
        return type(other) is type(self) and other._astuple() == self._astuple()

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(self._astuple())

    def __repr__(self):
        return _repr(self, [(f, getattr(self, f)) for f in self._fields])

    def __reduce_ex__(self, protocol):
        return boot.obj, (self._spec,), self._astuple()


def _make_record(spec):
    return type(spec[2], (_Record,), {'__slots__': spec[3], '_fields': spec[3], '_spec': spec,
                                      '__module__': __name__, '__qualname__': spec[2]})
