/** Images in: file picker (many), drag and drop, paste. */
import { useEffect, useState } from 'react';
import { splitImageFiles } from './images';

export function ImageInput({ onFiles, onRejected, disabled }: { onFiles: (files: File[]) => void; onRejected: (names: string[]) => void; disabled: boolean }) {
  const [over, setOver] = useState(false);
  const take = (list: FileList | File[] | null | undefined) => {
    const files = [...(list ?? [])];
    if (files.length === 0) return;
    const { images, others } = splitImageFiles(files);
    // Files first: adding images clears the previous notice, which must not hide this drop's rejects.
    if (images.length) onFiles(images);
    if (others.length) onRejected(others.map((f) => `${f.name} (${f.type || 'unknown type'})`));
  };
  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      if (disabled) return;
      const files = [...(e.clipboardData?.files ?? [])];
      if (files.length) {
        e.preventDefault();
        take(files);
      }
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  });
  return (
    <div
      role="region"
      aria-label="Drop images here"
      className={`cls-drop${over ? ' cls-drop-over' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        if (!disabled) take(e.dataTransfer.files);
      }}
    >
      <label className="cls-pick">
        <input type="file" accept="image/*" multiple disabled={disabled} aria-label="Images to classify" onChange={(e) => {
          take(e.target.files);
          e.target.value = '';
        }} />
        Choose images
      </label>
      <span className="cls-muted"> or drop them here, or paste (Ctrl+V)</span>
    </div>
  );
}
