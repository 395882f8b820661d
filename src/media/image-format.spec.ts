import sharp from 'sharp';
import { acceptedFormatsLabel, detectImage, heicDecodingAvailable } from './image-format';

const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const GIF_1X1 = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** A 1×1, 24-bit bitmap header (pixel data not needed to read the size). */
function bmpHeader(): Buffer {
  const bmp = Buffer.alloc(58);
  bmp.write('BM', 0);
  bmp.writeUInt32LE(58, 2);
  bmp.writeUInt32LE(54, 10);
  bmp.writeUInt32LE(40, 14);
  bmp.writeInt32LE(3, 18);
  bmp.writeInt32LE(-2, 22);
  bmp.writeUInt16LE(1, 26);
  bmp.writeUInt16LE(24, 28);
  return bmp;
}

describe('detectImage', () => {
  it('reads the format and size of a PNG, a GIF and a top-down BMP from their bytes', () => {
    expect(detectImage(PNG_1X1)).toEqual({ format: 'png', width: 1, height: 1 });
    expect(detectImage(GIF_1X1)).toEqual({ format: 'gif', width: 1, height: 1 });
    expect(detectImage(bmpHeader())).toEqual({ format: 'bmp', width: 3, height: 2 });
  });

  describe('HEIF containers', () => {
    let avif: Buffer;

    beforeAll(async () => {
      avif = await sharp({ create: { width: 6, height: 4, channels: 3, background: '#336699' } })
        .avif()
        .toBuffer();
    });

    /** The AVIF with every `avif` brand of its ftyp box replaced by `brand`. */
    function rebranded(brand: string): Buffer {
      const copy = Buffer.from(avif);
      for (let offset = 8; offset < copy.readUInt32BE(0); offset += 4) {
        if (copy.toString('latin1', offset, offset + 4) === 'avif') copy.write(brand, offset);
      }
      return copy;
    }

    it('tells AVIF from HEIC by their brands', () => {
      expect(detectImage(avif)).toEqual({ format: 'avif', width: 6, height: 4 });
      expect(detectImage(rebranded('heic'))).toEqual({ format: 'heic', width: 6, height: 4 });
    });

    it('refuses a HEIF container whose brands name neither', () => {
      expect(detectImage(rebranded('mif1'))).toBeNull();
    });
  });

  it('refuses text, SVG, empty input and formats outside the list', () => {
    expect(detectImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(detectImage(Buffer.from('just some text'))).toBeNull();
    expect(detectImage(Buffer.alloc(0))).toBeNull();
    const ico = Buffer.from([0, 0, 1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 32, 0, 0, 0, 0, 0, 22, 0, 0, 0]);
    expect(detectImage(ico)).toBeNull();
  });
});

describe('acceptedFormatsLabel', () => {
  it('names HEIC only when the installed decoder reads it', () => {
    expect(acceptedFormatsLabel()).toBe(
      heicDecodingAvailable()
        ? 'JPEG, PNG, GIF, WebP, AVIF, TIFF, BMP or HEIC'
        : 'JPEG, PNG, GIF, WebP, AVIF, TIFF or BMP',
    );
  });
});
