# Prints torch_fixtures.py's manifest as tab-separated lines the Java test reads without a JSON library:
#   F  file  format  tensor-count
#   T  path  dtype  shape  stride  offset  storage-group  requires_grad  is_parameter  values (flattened, spaces)
import json
import sys

SPECIAL = {'nan': 'NaN', 'inf': 'Infinity', '-inf': '-Infinity'}


def num(v):
    if isinstance(v, str):
        return SPECIAL[v]
    if isinstance(v, bool):
        return '1' if v else '0'
    return repr(float(v)) if isinstance(v, float) else str(v)


def flat(values):
    out = []
    for v in values:
        out.extend(flat(v) if isinstance(v, list) else [num(v)])
    return out


manifest = json.load(open(sys.argv[1]))
for f in manifest['files']:
    print('F', f['file'], f['format'], len(f['tensors']), sep='\t')
    for t in f['tensors']:
        print('T', t['path'], t['dtype'], ','.join(map(str, t['shape'])), ','.join(map(str, t['stride'])),
              t['storage_offset'], t['storage_group'], int(t['requires_grad']), int(t['is_parameter']),
              ' '.join(flat(t['values'])), sep='\t')
