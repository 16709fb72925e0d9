/** What the model sees (the resized crop) with the Grad-CAM heat map over it. */
import { useEffect, useRef } from 'react';
import type { HeatMap } from '../../tf/gradcam';
import type { RawImage } from '../../worker/protocol';

/** Perceptually ordered blue → cyan → yellow → red ramp for heat 0…1 (alpha grows with heat). */
export function heatColor(v: number): [number, number, number, number] {
  const t = Math.max(0, Math.min(1, v));
  const r = Math.round(255 * Math.min(1, Math.max(0, 1.5 * t - 0.25) * 1.6));
  const g = Math.round(255 * Math.max(0, 1 - Math.abs(2 * t - 1.1) * 1.4));
  const b = Math.round(255 * Math.max(0, 1 - 2.2 * t));
  // Cold regions stay nearly clear so the image shows through; hot ones are opaque enough to read.
  return [r, g, b, Math.round(20 + 190 * t)];
}

export function HeatCanvas({ preview, heat, showHeat }: { preview: RawImage; heat?: HeatMap; showHeat: boolean }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    canvas.width = preview.width;
    canvas.height = preview.height;
    ctx.putImageData(new ImageData(new Uint8ClampedArray(preview.data), preview.width, preview.height), 0, 0);
    if (!heat || !showHeat) return;
    const small = document.createElement('canvas');
    small.width = heat.width;
    small.height = heat.height;
    const sctx = small.getContext('2d')!;
    const img = sctx.createImageData(heat.width, heat.height);
    for (let i = 0; i < heat.values.length; i++) img.data.set(heatColor(heat.values[i]), i * 4);
    sctx.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(small, 0, 0, preview.width, preview.height);
  }, [preview, heat, showHeat]);
  return (
    <canvas
      ref={ref}
      className="cls-heat"
      role="img"
      aria-label={heat && showHeat ? `Grad-CAM heat map for class ${heat.classIndex} over the model input` : 'Model input after resize and crop'}
    />
  );
}
