import { useEffect, useRef, useState } from 'react';
import { published } from '../../core/references';
import type { LayerGradient } from '../../tf/gradients';
import type { FilterImage } from '../../worker/lab-protocol';
import { Cites } from '../shared/Cites';
import { followRequest } from './follow-request';
import { GradientChart } from './GradientChart';
import { Progress } from './Progress';
import type { LabWorker } from './useLabWorker';

/** The README's test errors of the two nets the panel loads, and the accuracies they imply. */
const TRAINED = (['ResNet-20', 'ResNet-56'] as const).map((preset) => published('akamaster', preset, 'cifar10Err'));
const accuracy = (errPct: number) => (100 - errPct).toFixed(2);

interface Loaded {
  readonly model: string;
  readonly file: string;
  readonly filters: FilterImage;
  readonly gradients: readonly LayerGradient[];
}

/** One k×k×3 filter as an RGB tile, contrast-stretched per filter (the usual way to show first-layer filters). */
function FilterTile({ filters, index }: { readonly filters: FilterImage; readonly index: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const [kh, kw, cin, cout] = filters.shape;
    const at = (y: number, x: number, c: number) => filters.kernel[((y * kw + x) * cin + c) * cout + index];
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let c = 0; c < cin; c++) {
      lo = Math.min(lo, at(y, x, c));
      hi = Math.max(hi, at(y, x, c));
    }
    const img = ctx.createImageData(kw, kh);
    for (let y = 0; y < kh; y++)
      for (let x = 0; x < kw; x++) {
        for (let c = 0; c < 3; c++) img.data[(y * kw + x) * 4 + c] = Math.round((255 * (at(y, x, Math.min(c, cin - 1)) - lo)) / (hi - lo || 1));
        img.data[(y * kw + x) * 4 + 3] = 255;
      }
    ctx.putImageData(img, 0, 0);
  }, [filters, index]);
  return <canvas ref={ref} width={filters.shape[1]} height={filters.shape[0]} className="lab-filter" aria-label={`filter ${index + 1}`} />;
}

interface ImagenetFilters {
  readonly filters: FilterImage;
  readonly name: string;
  readonly shards: readonly string[];
}

/** The ImageNet ResNet50's 64 conv1 filters, read by the lab worker from the weight files the app serves. */
function ImagenetFiltersView({ worker }: { readonly worker: LabWorker }) {
  const [state, setState] = useState<ImagenetFilters | { error: string } | null>(null);
  const { newId, subscribe, send } = worker;
  // The worker exists once it has answered its first `init` (child effects run before the hook's own effect).
  const started = !!worker.status.backend || !!worker.status.note;
  useEffect(() => {
    if (!started) return;
    const id = newId();
    const off = subscribe((m) => {
      if (m.type === 'imagenet-filters-result' && m.id === id) setState({ filters: m.filters, name: m.name, shards: m.shards });
      if (m.type === 'error' && m.id === id) setState({ error: m.message });
    });
    send({ type: 'imagenet-filters', id });
    return off;
  }, [started, newId, subscribe, send]);
  if (state === null) return <p className="lab-muted">Reading the ImageNet ResNet50&apos;s conv1 filters…</p>;
  if ('error' in state) {
    return (
      <p className="lab-error" role="alert">
        Could not read the ImageNet ResNet50&apos;s conv1 filters: {state.error}
      </p>
    );
  }
  const [kh, kw, , count] = state.filters.shape;
  return (
    <div data-testid="imagenet-filters" data-count={count} data-size={`${kh}x${kw}`}>
      <h3>
        ImageNet ResNet50 (Keras weights): the {count} filters of conv1_conv ({kh}×{kw}, RGB)
      </h3>
      <div className="lab-filters">
        {Array.from({ length: count }, (_, i) => `imagenet-filter-${i}`).map((key, i) => (
          <FilterTile key={key} filters={state.filters} index={i} />
        ))}
      </div>
      <p className="lab-muted">
        Read from <code>{state.name}</code> in {state.shards.join(', ')} of the weights Classify uses (no model is built). The Keras
        ResNet50 weights expect BGR input (Keras <code>preprocess_input</code> mode &ldquo;caffe&rdquo;), so the kernel&apos;s input
        channels are B, G, R; they are reversed here to show the filters in RGB. Each filter is contrast-stretched to its own minimum
        and maximum.
      </p>
    </div>
  );
}

/**
 * First-layer filters of trained ResNets: the ImageNet ResNet50's by default; trained CIFAR-10 weights
 * (akamaster/pytorch_resnet_cifar10) as an optional upload, with per-layer gradient norms.
 */
export function FiltersPanel({ worker }: { readonly worker: LabWorker }) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [pending, setPending] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = async (file: File) => {
    setError(null);
    if (!file.name.endsWith('.npz')) {
      setError(`“${file.name}” is not an .npz file; pick resnet20-*.npz or resnet56-*.npz (akamaster state dicts saved with numpy).`);
      return;
    }
    const id = worker.newId();
    setPending(`Reading ${file.name}…`);
    const bytes = await file.arrayBuffer();
    followRequest(worker, id, 'akamaster-result', {
      pending: setPending,
      result: (m) => setLoaded({ model: m.model, file: file.name, filters: m.filters, gradients: m.gradients }),
      error: setError,
    });
    worker.send({ type: 'akamaster', id, name: file.name, bytes }, [bytes]);
  };

  return (
    <section className="lab-panel" aria-labelledby="lab-trained-title">
      <h2 id="lab-trained-title">A trained ResNet: first-layer filters</h2>
      <ImagenetFiltersView worker={worker} />
      <h3>Optional: a trained CIFAR-10 ResNet</h3>
      <p className="lab-muted">
        Load the trained CIFAR-10 ResNet-20 or ResNet-56 of akamaster/pytorch_resnet_cifar10 (option A shortcuts) as an .npz of its
        PyTorch state dict; the weights are mapped onto our Keras-named CIFAR preset. The repository gives their test error (ResNet-20 / ResNet-56) as{' '}
        {TRAINED.map((r) => `${r.shown} %`).join(' / ')}, i.e. {TRAINED.map((r) => `${accuracy(r.value)} %`).join(' / ')} accuracy{' '}
        <Cites cites={TRAINED} />.
      </p>
      <label className="lab-file">
        Weights (.npz){' '}
        <input
          type="file"
          accept=".npz"
          aria-label="akamaster weights file"
          disabled={pending !== null || !worker.status.backend}
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void load(f);
          }}
        />
      </label>
      <Progress pending={pending} error={error} />
      {loaded && (
        <div className="lab-trained" data-testid="trained">
          <h3>
            {loaded.model} from {loaded.file}: the {loaded.filters.shape[3]} filters of conv1_conv (3×3, RGB)
          </h3>
          <div className="lab-filters">
            {Array.from({ length: loaded.filters.shape[3] }, (_, i) => `filter-${i}`).map((id, i) => (
              <FilterTile key={id} filters={loaded.filters} index={i} />
            ))}
          </div>
          <GradientChart
            series={[{ key: 'residual', name: loaded.model, data: loaded.gradients }]}
            label={`Gradient norm per layer of the trained ${loaded.model}`}
            drawKey={loaded.file}
          />
          <p className="lab-muted">
            Gradient norms of the trained network (BN with its running statistics) for the loss of its own top prediction on 32 generated
            images — not CIFAR data, so read the shape across depth, not the values.
          </p>
        </div>
      )}
    </section>
  );
}
