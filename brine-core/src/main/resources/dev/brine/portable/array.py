# Brine portable runtime, array section: Java primitive arrays as numpy arrays where numpy imports, else array.array.
# The header picks one of the two at load time: (as_array, as_ndarray)[importable('numpy')].
def as_array(typecode, dtype, data):
    import array
    a = array.array(typecode)
    a.frombytes(data)
    if a.itemsize > 1 and (dtype[0] == '<') != (sys.byteorder == 'little'):
        a.byteswap()
    return a


def as_ndarray(typecode, dtype, data):
    import numpy
    return numpy.frombuffer(bytearray(data), dtype=dtype)
