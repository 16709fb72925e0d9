/**
 * Human-readable descriptions of graph ops, shared by the diagram labels, the hover card, the side panel
 * and the SVG export. Names follow the Keras layer classes a reader would see in `model.summary()`.
 */
import { kerasClassName } from './describe';
import type { GraphNode, Op } from './graph';

/** Keras layer class of an op as a reader sees it in `model.summary()`, with the activation named. */
export function opClass(op: Op): string {
  return op.kind === 'relu' ? 'Activation(relu)' : kerasClassName(op);
}

/** Short configuration, e.g. `3×3 /2 same · 64 filters · groups 32`. Empty when the op has none. */
export function opDetail(op: Op): string {
  switch (op.kind) {
    case 'zeropad':
      return `pad ${op.padding[0]}×${op.padding[1]}`;
    case 'conv':
      return (
        `${op.kernel}×${op.kernel} /${op.stride} ${op.padding} · ${op.filters} filters` +
        (op.groups > 1 ? ` · groups ${op.groups}` : '') +
        (op.bias ? '' : ' · no bias')
      );
    case 'bn':
      return `ε ${op.epsilon < 1e-3 ? op.epsilon.toExponential() : op.epsilon}`;
    case 'maxpool':
      return `${op.pool}×${op.pool} /${op.stride}`;
    case 'zeroPadShortcut':
      return `subsample /${op.stride} · pad channels +${op.channelPad[0]}/+${op.channelPad[1]}`;
    case 'dense':
      return `${op.units} units · ${op.activation}`;
    case 'dropout':
      return `rate ${op.rate} · training only`;
    default:
      return '';
  }
}

/** Kernel / stride / padding triple for the card, or undefined when the op has no window. */
export function opWindow(op: Op): { kernel: number; stride: number; padding: string } | undefined {
  if (op.kind === 'conv') return { kernel: op.kernel, stride: op.stride, padding: op.padding };
  if (op.kind === 'maxpool') return { kernel: op.pool, stride: op.stride, padding: 'valid' };
  if (op.kind === 'zeropad') return { kernel: 0, stride: 1, padding: `zero ${op.padding[0]}` };
  return undefined;
}

export function nodeSummary(node: GraphNode): string {
  const d = opDetail(node.op);
  return d ? `${opClass(node.op)} ${d}` : opClass(node.op);
}

/** 25,636,712 → "25.64 M"; 3,858,000,000 → "3.86 G". */
export function formatCount(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (abs >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (abs >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}
