/** `resnet-explorer` command line. Exit codes: 0 ok, 1 runtime failure, 2 bad input. */
import { parseArgs } from 'node:util';
import { SpecError, UnknownModelError } from '../core';
import { compareJson, compareText, listText, summaryJson, summaryText } from './commands';
import { SPEC_FLAG_OPTIONS, specFlags, specFromFlags } from './spec-args';

const HELP = `resnet-explorer — build, inspect and compare ResNets

Usage:
  resnet-explorer list                         every preset with params and MACs
  resnet-explorer summary MODEL [options]      Keras-style summary of one model
  resnet-explorer compare MODEL MODEL… [--json]  one table across models
  resnet-explorer classify IMAGE… [--json]      top-5 ImageNet classes per image (classify --help)
  resnet-explorer lesion IMAGE [--json]        delete each residual block in turn: top-1 after each (lesion --help)
  resnet-explorer finetune DIR --out OUTDIR    train a new head on a folder of class sub-folders (finetune --help)
  resnet-explorer export MODEL --format F --out PATH   the spec, Keras .h5 weights, a tfjs model, or code for
                                               another framework: Keras, … (export --help lists the formats)

Summary options:
  --no-top              drop the classifier (Keras include_top=False)
  --input H,W,C         input shape (default: the model's, e.g. 224,224,3)
  --pooling avg|max     global pooling when --no-top
  --classes N           classifier size
  --groups N            cardinality of the 3×3 convs
  --spec FILE           a JSON ArchSpec instead of a preset
  --json                one JSON object instead of the table
`;

const SPEC_OPTIONS = {
  ...SPEC_FLAG_OPTIONS,
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Out = { stdout: (s: string) => void; stderr: (s: string) => void };

export async function main(argv: readonly string[], out: Out): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (!command || command === 'help' || command === '--help' || command === '-h') {
      out.stdout(HELP);
      return command ? 0 : 2;
    }
    if (command === 'list') {
      out.stdout(listText());
      return 0;
    }
    if (command === 'summary' || command === 'compare') {
      const { values, positionals } = parseArgs({ args: [...rest], options: SPEC_OPTIONS, allowPositionals: true, strict: true });
      if (values.help) {
        out.stdout(HELP);
        return 0;
      }
      const flags = specFlags(values);
      if (command === 'summary') {
        if (positionals.length > 1) throw new SpecError('model', positionals, 'summary takes one model');
        const spec = specFromFlags(positionals[0], flags);
        out.stdout(values.json ? JSON.stringify(summaryJson(spec)) : summaryText(spec));
        return 0;
      }
      if (positionals.length === 0) throw new SpecError('models', positionals, 'name at least one model to compare');
      const specs = positionals.map((m) => specFromFlags(m, { ...flags, spec: undefined }));
      out.stdout(values.json ? JSON.stringify(compareJson(specs)) : compareText(specs));
      return 0;
    }
    if (command === 'export') {
      const { runExport } = await import('./export');
      return await runExport(rest, out);
    }
    if (command === 'classify') {
      const { runClassify } = await import('./classify');
      return await runClassify(rest, out);
    }
    if (command === 'finetune') {
      const { runFinetuneCli } = await import('./finetune');
      return await runFinetuneCli(rest, out);
    }
    if (command === 'lesion') {
      const { runLesion } = await import('./lesion');
      return await runLesion(rest, out);
    }
    out.stderr(`Unknown command "${command}". Commands: list, summary, compare, classify, lesion, export.\n\n${HELP}`);
    return 2;
  } catch (e) {
    if (e instanceof SpecError || e instanceof UnknownModelError) {
      out.stderr(`error: ${e.message}`);
      return 2;
    }
    if (e instanceof Error && 'code' in e && String((e as { code: unknown }).code).startsWith('ERR_PARSE_ARGS')) {
      out.stderr(`error: ${e.message}\n\n${HELP}`);
      return 2;
    }
    throw e;
  }
}
