import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ImageInputError } from '../../src/tf/errors';
import { checkImageBytes, headerSize, sniffKind } from '../../src/tf/image-sniff';
import { initNodeBackend } from '../../src/tf/node-backend';
import { decodeImage } from '../../src/tf/node-image';
import { fixture } from '../helpers/fixtures';
import { solidPng } from './helpers/images';

const elephant = () => new Uint8Array(readFileSync(fixture('imagenet', 'elephant.jpg')));

beforeAll(async () => {
  await initNodeBackend('cpu');
});

describe('image input checks', () => {
  it('reads JPEG and PNG sizes from their headers', () => {
    expect(sniffKind(elephant())).toBe('jpeg');
    expect(headerSize(elephant(), 'jpeg')).toEqual({ width: 700, height: 466 });
    const png = solidPng(33, 17);
    expect(headerSize(png, 'png')).toEqual({ width: 33, height: 17 });
  });

  it('decodes JPEG and PNG to RGB pixels', () => {
    const e = decodeImage(elephant(), 'elephant.jpg');
    expect(e.shape).toEqual([466, 700, 3]);
    e.dispose();
    const p = decodeImage(solidPng(5, 3, [1, 2, 3]), 'x.png');
    expect(p.shape).toEqual([3, 5, 3]);
    expect(Array.from(p.dataSync().slice(0, 6))).toEqual([1, 2, 3, 1, 2, 3]);
    p.dispose();
  });

  it('a zero-byte file', () => {
    expect(() => decodeImage(new Uint8Array(0), 'empty.jpg')).toThrow(/empty.jpg is empty \(0 bytes\)/);
  });

  it('a non-image file', () => {
    const text = new TextEncoder().encode('hello, this is not a picture');
    expect(() => decodeImage(text, 'notes.jpg')).toThrow(ImageInputError);
    expect(() => decodeImage(text, 'notes.jpg')).toThrow(/notes.jpg is not an image.*68 65 6c 6c/);
  });

  it('a corrupt (truncated) JPEG', () => {
    const cut = elephant().subarray(0, 2000);
    expect(() => decodeImage(cut, 'cut.jpg')).toThrow(/cut.jpg is cut short: the file ends before its image does/);
  });

  it('a 12000×12000 image is refused before decoding', () => {
    const huge = solidPng(12000, 12000);
    expect(huge.length).toBeLessThan(2_000_000);
    expect(() => checkImageBytes(huge, 'huge.png')).toThrow(/huge.png is 12000×12000 \(144 megapixels\); the limit is 50 megapixels/);
    expect(() => decodeImage(huge, 'huge.png')).toThrow(ImageInputError);
  });
});
