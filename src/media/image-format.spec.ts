import { detectImage } from './image-format';

const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const GIF_1X1 = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

describe('detectImage', () => {
  it('reads the format and size of a PNG and a GIF from their bytes', () => {
    expect(detectImage(PNG_1X1)).toEqual({ format: 'png', width: 1, height: 1 });
    expect(detectImage(GIF_1X1)).toEqual({ format: 'gif', width: 1, height: 1 });
  });

  it('refuses text, empty input and formats outside the accepted four', () => {
    expect(detectImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(detectImage(Buffer.from('just some text'))).toBeNull();
    expect(detectImage(Buffer.alloc(0))).toBeNull();
    const bmp = Buffer.alloc(30);
    bmp.write('BM', 0);
    bmp.writeUInt32LE(30, 2);
    bmp.writeUInt32LE(12, 14);
    bmp.writeUInt16LE(1, 18);
    bmp.writeUInt16LE(1, 20);
    expect(detectImage(bmp)).toBeNull();
  });
});
