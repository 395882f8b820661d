import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { normaliseImage } from './image-normaliser';

function noise(width: number, height: number, channels: 3 | 4): sharp.Sharp {
  return sharp(randomBytes(width * height * channels), { raw: { width, height, channels } });
}

describe('normaliseImage', () => {
  it('turns an opaque PNG that is too large as PNG into a JPEG of the same size', async () => {
    const png = await noise(200, 150, 3).png().toBuffer();
    const limit = Math.floor(png.length * 0.9);
    const result = await normaliseImage(png, 'png', limit);
    expect(result).toMatchObject({ format: 'jpg', width: 200, height: 150 });
    expect(result.data.length).toBeLessThanOrEqual(limit);
    expect((await sharp(result.data).metadata()).format).toBe('jpeg');
  });

  it('scales a transparent PNG down, keeping its aspect ratio, until it fits', async () => {
    const png = await noise(300, 200, 4).png().toBuffer();
    const limit = Math.floor(png.length / 4);
    const result = await normaliseImage(png, 'png', limit);
    expect(result.format).toBe('png');
    expect(result.data.length).toBeLessThanOrEqual(limit);
    expect(result.width).toBeLessThan(300);
    expect(result.width / result.height).toBeCloseTo(1.5, 1);
    const stored = await sharp(result.data).metadata();
    expect({ width: stored.width, height: stored.height, hasAlpha: stored.hasAlpha }).toEqual({
      width: result.width,
      height: result.height,
      hasAlpha: true,
    });
  });

  it('scales a JPEG down until it fits', async () => {
    const jpeg = await noise(400, 300, 3).jpeg({ quality: 95 }).toBuffer();
    const limit = Math.floor(jpeg.length / 3);
    const result = await normaliseImage(jpeg, 'jpeg', limit);
    expect(result.format).toBe('jpg');
    expect(result.data.length).toBeLessThanOrEqual(limit);
    expect(result.width).toBeLessThan(400);
  });

  it('keeps every frame of an animation it has to scale down', async () => {
    const frames = await noise(120, 80 * 4, 3)
      .raw()
      .toBuffer();
    const gif = await sharp(frames, {
      raw: { width: 120, height: 320, channels: 3, pageHeight: 80 },
    })
      .gif({ loop: 0, delay: [100, 100, 100, 100] })
      .toBuffer();
    const limit = Math.floor(gif.length / 3);
    const result = await normaliseImage(gif, 'gif', limit);
    expect(result.format).toBe('gif');
    expect(result.data.length).toBeLessThanOrEqual(limit);
    const stored = await sharp(result.data, { animated: true }).metadata();
    expect(stored.pages).toBe(4);
    expect(stored.pageHeight).toBe(result.height);
    expect(result.width).toBeLessThan(120);
  });

  it('throws on bytes that do not decode', async () => {
    const jpeg = await noise(64, 64, 3).jpeg().toBuffer();
    await expect(normaliseImage(jpeg.subarray(0, jpeg.length / 2), 'jpeg')).rejects.toThrow();
    await expect(normaliseImage(Buffer.from('BM garbage'), 'bmp')).rejects.toThrow();
  });
});
