/** Saving files from the page: blobs via a temporary link, SVG rasterised to PNG via an <img> and a canvas (blob: URLs only). */

/**
 * Save one blob. Call it once per user action: a page that starts a second download without a new click gets
 * the browser's "download multiple files" permission prompt (Chromium: chrome://settings/content/automaticDownloads),
 * so several files go out as one zip (src/tf/model-zip.ts).
 */
export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  // Chromium resolves the blob: URL when the click starts the download; the delay is for browsers that read it
  // later. It only frees memory (a 100 MB model stays in memory this long), so it is generous.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function downloadText(text: string, filename: string, type = 'text/csv'): void {
  downloadBlob(new Blob([text], { type: `${type};charset=utf-8` }), filename);
}

export function safeFilename(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 80) || 'diagram';
}

/** Largest canvas side and area browsers accept reliably (Chromium: 32,767 px side, ~268 M px area). */
const MAX_SIDE = 16_000;
const MAX_AREA = 64e6;

/** Rasterise SVG text at up to `scale`× (less when the canvas would be too large). */
export async function svgToPng(svg: string, scale = 2): Promise<Blob> {
  const img = new Image();
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the SVG could not be rasterised'));
      img.src = url;
    });
    const w = img.naturalWidth || 800;
    const h = img.naturalHeight || 600;
    const s = Math.min(scale, MAX_SIDE / w, MAX_SIDE / h, Math.sqrt(MAX_AREA / (w * h)));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.floor(w * s));
    canvas.height = Math.max(1, Math.floor(h * s));
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas available');
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}
