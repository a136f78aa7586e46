#!/usr/bin/env python3
"""What Brine's portable runtime costs at load time: the first load of a portable pickle in a process (which
installs the runtime) against later loads (which find it installed).

    ./brine demo -o /tmp/demo.pkl
    for v in $(pyenv root)/versions/3.*/bin/python; do $v -I -S tools/portable_load_cost.py /tmp/demo.pkl; done
"""
import pickle, sys, time
data = open(sys.argv[1], 'rb').read()
t0 = time.perf_counter(); pickle.loads(data); t1 = time.perf_counter()
n = 200
t2 = time.perf_counter()
for _ in range(n): pickle.loads(data)
t3 = time.perf_counter()
print('%s first load %.2f ms (installs runtime), later loads %.3f ms each' % (sys.version.split()[0], (t1-t0)*1e3, (t3-t2)/n*1e3))
