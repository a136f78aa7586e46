# Brine portable runtime, array section: Java primitive arrays as numpy arrays where numpy imports, else array.array.
def as_array(typecode, dtype, data):
    import array
    a = array.array(typecode)
    a.frombytes(data)
    if dtype[0] == '>' and a.itemsize > 1:
        a.byteswap()
    return a


def as_ndarray(typecode, dtype, data):
    import numpy
    return numpy.frombuffer(bytearray(data), dtype=dtype)
