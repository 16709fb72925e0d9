/** Live camera: classify frames continuously (next frame as soon as the previous result is back). */
import { useEffect, useRef, useState } from 'react';
import { modelClient } from '../../worker/client';
import type { ResponseOf } from '../../worker/protocol';
import { TopBars } from './TopBars';

export function Camera({ enabled, resize }: { enabled: boolean; resize: 'center-crop' | 'squash' }) {
  const [on, setOn] = useState(false);
  const [error, setError] = useState<string>();
  const [result, setResult] = useState<ResponseOf<'classified'>>();
  const video = useRef<HTMLVideoElement>(null);

  useEffect(() => {
    if (!on) return;
    let stream: MediaStream | undefined;
    let stopped = false;
    (async () => {
      try {
        if (!navigator.mediaDevices?.getUserMedia) throw new Error('this browser gives no camera access here (needs https or localhost)');
        stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
        const v = video.current!;
        v.srcObject = stream;
        await v.play();
        while (!stopped) {
          const frame = await createImageBitmap(v);
          const r = await modelClient().classify(frame, 'camera', { resize, gradcam: false });
          if (!stopped) setResult(r);
          await new Promise((res) => requestAnimationFrame(res));
        }
      } catch (e) {
        if (!stopped) {
          setError(`Camera: ${(e as Error).message || (e as Error).name}`);
          setOn(false);
        }
      }
    })();
    return () => {
      stopped = true;
      for (const t of stream?.getTracks() ?? []) t.stop();
    };
  }, [on, resize]);

  return (
    <div className="cls-camera">
      <button type="button" disabled={!enabled && !on} onClick={() => {
        setError(undefined);
        setOn(!on);
      }}>
        {on ? 'Stop camera' : 'Use camera (live)'}
      </button>
      {error && <span className="cls-error-inline" role="alert">{error}</span>}
      {on && (
        <div className="cls-camera-live">
          <video ref={video} muted playsInline aria-label="Camera preview" />
          {result && (
            <div>
              <small data-testid="camera-latency">{result.timing.predict.toFixed(0)} ms on {result.backend}</small>
              <TopBars top={result.top} onSelect={() => undefined} />
            </div>
          )}
        </div>
      )}
    </div>
  );
}
