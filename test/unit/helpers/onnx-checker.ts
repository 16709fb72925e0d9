/**
 * ONNX's own checker through Debian's python3-onnx (/usr/bin/python3): `check_model(model, full_check=True)`,
 * i.e. schema checks plus strict shape inference, for many files in one python process.
 */
import { spawnSync } from 'node:child_process';

export const PYTHON = '/usr/bin/python3';
export const INSTALL_ONNX = 'apt-get install -y python3-onnx';
export const HAVE_ONNX = spawnSync(PYTHON, ['-c', 'import onnx'], { encoding: 'utf8' }).status === 0;
/** Skip where python3-onnx is absent, except in CI, where the test must run (and fail with the install command). */
export const SKIP_ONNX_CHECK = !HAVE_ONNX && !process.env.CI;

const CHECK = `
import json, sys, onnx
out = {}
for path in sys.argv[1:]:
    try:
        onnx.checker.check_model(onnx.load(path), full_check=True)
        out[path] = 'ok'
    except Exception as e:
        out[path] = type(e).__name__ + ': ' + str(e).splitlines()[0][:300]
print(json.dumps({'onnx': onnx.__version__, 'results': out}))
`;

/** path → 'ok' or the checker's error. */
export function checkOnnxFiles(paths: readonly string[]): { version: string; results: Record<string, string> } {
  if (!HAVE_ONNX) throw new Error(`${PYTHON} cannot import onnx: install it with \`${INSTALL_ONNX}\``);
  const run = spawnSync(PYTHON, ['-c', CHECK, ...paths], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) throw new Error(`onnx checker failed to run: ${run.stderr}`);
  const { onnx: version, results } = JSON.parse(run.stdout) as { onnx: string; results: Record<string, string> };
  return { version, results };
}
