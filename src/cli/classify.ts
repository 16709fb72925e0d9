/** Placeholder until the weights issue lands its classifier: says so clearly and exits non-zero. */
export async function runClassify(_argv: readonly string[], out: { stderr: (s: string) => void }): Promise<number> {
  out.stderr('error: classify is not available yet (pretrained weights are being added).');
  return 1;
}
