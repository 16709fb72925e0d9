/** Where the labelled images come from: a dropped or picked folder (sub-folder = class), or loose files for a named class. */
import { useState } from 'react';
import { fromDataTransfer, fromFileList, type PickedFile } from '../shared/folder';

export function DatasetPicker({ disabled, onPicked }: { disabled: boolean; onPicked: (files: PickedFile[], looseClass?: string) => void }) {
  const [over, setOver] = useState(false);
  const [looseClass, setLooseClass] = useState('');
  const [reading, setReading] = useState(false);
  return (
    <div
      role="region"
      aria-label="Drop class folders here"
      className={`ft-drop cls-drop${over ? ' cls-drop-over' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        if (disabled) return;
        setReading(true);
        fromDataTransfer(e.dataTransfer)
          .then((files) => onPicked(files, looseClass))
          .finally(() => setReading(false));
      }}
    >
      <div className="cls-row">
        <label>
          Choose a folder{' '}
          <input
            type="file"
            multiple
            disabled={disabled}
            aria-label="Folder of classes"
            ref={(el) => {
              // Not in React's attribute list; Chromium, Firefox and Safari support it.
              if (el) el.webkitdirectory = true;
            }}
            onChange={(e) => {
              onPicked(fromFileList(e.target.files));
              e.target.value = '';
            }}
          />
        </label>
        <span className="cls-muted">with one sub-folder per class, or drop class folders here</span>
      </div>
      <div className="cls-row">
        <label>
          or add images to the class{' '}
          <input
            type="text"
            size={12}
            placeholder="class name"
            aria-label="Class name for added images"
            value={looseClass}
            onChange={(e) => setLooseClass(e.target.value)}
          />
        </label>
        <input
          type="file"
          multiple
          accept="image/*"
          aria-label="Images for this class"
          disabled={disabled || looseClass.trim() === ''}
          title={looseClass.trim() === '' ? 'Type a class name first' : undefined}
          onChange={(e) => {
            onPicked(fromFileList(e.target.files), looseClass);
            e.target.value = '';
          }}
        />
        <span className="cls-muted">(picked or dropped loose images)</span>
      </div>
      {reading && <span className="cls-muted"> reading the folder…</span>}
    </div>
  );
}
