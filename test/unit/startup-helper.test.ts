/**
 * The model worker's start-up helper (src/worker/startup-helper.ts), driven through a fake worker that answers as
 * src/worker/startup-helper.worker.ts does: answers reach the right caller, a Blob read comes back as the helper's
 * buffer and a cached row as the helper read it; every failure of a Blob read — a read error, a helper that dies,
 * cannot start or was released — ends in the same bytes read on the caller's thread, and a row the helper cannot
 * give is refused, for the caller to read itself.
 */
import { describe, expect, it, vi } from 'vitest';
import { type HelperAnswer, type HelperQuestion, type HelperWorker, startupHelper } from '../../src/worker/startup-helper';

/** A fake helper worker: records questions; `reply` answers the oldest unanswered one with what `answer` makes of it. */
function fakeWorker(answer: (q: HelperQuestion) => HelperAnswer | 'silent') {
  const asked: HelperQuestion[] = [];
  const w = {
    onmessage: null as HelperWorker['onmessage'],
    onerror: null as HelperWorker['onerror'],
    terminate: vi.fn(),
    postMessage: vi.fn((q: HelperQuestion) => asked.push(q)),
    asked,
    async reply() {
      const q = asked.shift()!;
      const a = answer(q);
      if (a !== 'silent') w.onmessage?.({ data: a } as MessageEvent<HelperAnswer>);
    },
    die: () => w.onerror?.(new Event('error') as ErrorEvent), // Node has no ErrorEvent
  };
  return w;
}

const blob = () => new Blob([new Uint8Array([1, 2, 3, 4, 5])]);

describe('startupHelper', () => {
  it("answers each read with the helper's answer: the helper's buffer, to the right caller", async () => {
    const a = new Uint8Array([9, 9]).buffer;
    const b = new Uint8Array([8]).buffer;
    const w = fakeWorker((q) => ({ id: q.id, kind: 'read', bytes: q.id === 1 ? a : b }));
    const h = startupHelper(() => w);
    const first = h.readBlob(blob());
    const second = h.readBlob(blob());
    expect(w.asked.map((q) => q.kind)).toEqual(['read', 'read']);
    await w.reply();
    await w.reply();
    expect(await first).toBe(a); // the transferred buffer itself, not a read of the Blob here
    expect(await second).toBe(b);
    expect(w.terminate).not.toHaveBeenCalled();
  });

  it("a cached row comes from the helper's own IndexedDB read; when it cannot answer, the caller is told to read it", async () => {
    const weightData = new Uint8Array([1, 2]).buffer;
    const w = fakeWorker((q) => (q.kind === 'cached' && q.key === 'k' ? { id: q.id, kind: 'cached', artifacts: { weightData } } : { id: q.id, kind: 'cached' }));
    const h = startupHelper(() => w);
    const found = h.cached('k');
    const absent = h.cached('other');
    expect(w.asked.map((q) => q.kind)).toEqual(['cached', 'cached']);
    await w.reply();
    await w.reply();
    expect((await found)?.weightData).toBe(weightData);
    expect(await absent).toBeUndefined();

    const failing = fakeWorker((q) => ({ id: q.id, kind: 'failed', message: 'the row is damaged' }));
    const f = startupHelper(() => failing);
    const refused = f.cached('k');
    await failing.reply();
    await expect(refused).rejects.toThrow(/damaged/);
    f.release();
    await expect(f.cached('k')).rejects.toThrow(/no start-up helper/);
  });

  it('a read the helper could not do is done here', async () => {
    const w = fakeWorker((q) => ({ id: q.id, kind: 'failed', message: 'NotReadableError' }));
    const h = startupHelper(() => w);
    const bytes = h.readBlob(blob());
    await w.reply();
    expect([...new Uint8Array(await bytes)]).toEqual([1, 2, 3, 4, 5]);
  });

  it('a helper that dies: reads in flight fail over to this thread, and so do later ones', async () => {
    const w = fakeWorker(() => 'silent');
    const h = startupHelper(() => w);
    const bytes = h.readBlob(blob());
    w.die();
    expect([...new Uint8Array(await bytes)]).toEqual([1, 2, 3, 4, 5]);
    expect(w.terminate).toHaveBeenCalled();
    expect([...new Uint8Array(await h.readBlob(blob()))]).toEqual([1, 2, 3, 4, 5]);
    expect(w.postMessage).toHaveBeenCalledTimes(1);
  });

  it('a helper that cannot start: everything on this thread', async () => {
    const h = startupHelper(() => {
      throw new Error('worker-src refused');
    });
    expect([...new Uint8Array(await h.readBlob(blob()))]).toEqual([1, 2, 3, 4, 5]);
  });

  it('released: once the reads asked for are answered, the helper is told to end (it finishes its own writes); later reads run here', async () => {
    const fromHelper = new Uint8Array([7]).buffer;
    const w = fakeWorker((q) => ({ id: q.id, kind: 'read', bytes: fromHelper }));
    const h = startupHelper(() => w);
    const bytes = h.readBlob(blob());
    h.release();
    expect(w.postMessage).toHaveBeenCalledTimes(1); // one read still open: no end yet
    await w.reply();
    expect(await bytes).toBe(fromHelper);
    expect(w.postMessage).toHaveBeenLastCalledWith({ kind: 'end' });
    expect(w.terminate).not.toHaveBeenCalled(); // not killed: a legacy row's rewrite may still be running there
    expect([...new Uint8Array(await h.readBlob(blob()))]).toEqual([1, 2, 3, 4, 5]);
    expect(w.postMessage).toHaveBeenCalledTimes(2);
  });
});
