/** Model downloads are one store-only zip: entries and bytes survive, a picked zip expands, bad input is named. */
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { WeightsFormatError } from '../../src/tf/errors';
import { layersModelZip, unzipToBlobs, zipStored } from '../../src/tf/model-zip';

describe('model zip', () => {
  const weights = new Float32Array([1.5, -2, 3.25, Number.MIN_VALUE]);

  it('stores model.json and the weight file the manifest names, byte for byte, uncompressed', () => {
    const modelJson = JSON.stringify({ weightsManifest: [{ paths: ['m.weights.bin'], weights: [] }] });
    const { zip, filename } = layersModelZip({ modelJson, weights: weights.buffer, name: 'm' });
    expect(filename).toBe('m.tfjs.zip');
    const files = unzipSync(new Uint8Array(zip));
    expect(Object.keys(files)).toEqual(['model.json', 'm.weights.bin']);
    expect(new TextDecoder().decode(files['model.json'])).toBe(modelJson);
    expect(new Float32Array(files['m.weights.bin'].slice().buffer)).toEqual(weights);
    // Stored (method 0): the zip is the data plus headers (30 + name + 46 + name per entry, 22 at the end).
    const headers = 2 * (30 + 46) + 2 * ('model.json'.length + 'm.weights.bin'.length) + 22;
    expect(zip.byteLength).toBe(modelJson.length + weights.byteLength + headers);
  });

  it('a picked zip becomes its files (folder prefixes dropped); a non-zip is refused by name', async () => {
    const zip = zipStored([
      { name: 'dir/model.json', data: new TextEncoder().encode('{}') },
      { name: 'dir/a.bin', data: new Uint8Array([1, 2, 3]) },
    ]);
    const blobs = unzipToBlobs(new Uint8Array(zip), 'x.zip');
    expect(blobs.map((b) => b.name)).toEqual(['model.json', 'a.bin']);
    expect(await blobs[0].text()).toBe('{}');
    expect([...new Uint8Array(await blobs[1].arrayBuffer())]).toEqual([1, 2, 3]);
    expect(() => unzipToBlobs(new Uint8Array([1, 2, 3]), 'bad.zip')).toThrow(WeightsFormatError);
    expect(() => unzipToBlobs(new Uint8Array([1, 2, 3]), 'bad.zip')).toThrow(/bad\.zip is not a readable zip \(3 bytes\)/);
    expect(() => zipStored([{ name: 'a', data: new Uint8Array() }, { name: 'a', data: new Uint8Array() }])).toThrow(/"a" appears twice/);
  });
});
