# Brine portable runtime, enum section: Java enums as enum.Enum subclasses whose values are the constant names.
def _make_enum(spec):
    import enum
    e = enum.Enum(spec[2], [(n, n) for n in spec[3]], module=__name__, qualname=spec[2])
    e._spec = spec
    e.__reduce_ex__ = lambda self, protocol: (boot.member, (self._spec, self._name_))
    return e
