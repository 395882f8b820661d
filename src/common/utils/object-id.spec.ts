import { isObjectIdString } from './object-id';

describe('isObjectIdString', () => {
  it('accepts 24 hexadecimal characters in either case, nothing else', () => {
    expect(isObjectIdString('64b7f0c2a1b2c3d4e5f60718')).toBe(true);
    expect(isObjectIdString('64B7F0C2A1B2C3D4E5F60718')).toBe(true);
    expect(isObjectIdString('64b7f0c2a1b2c3d4e5f6071')).toBe(false);
    expect(isObjectIdString('64b7f0c2a1b2c3d4e5f6071g')).toBe(false);
    expect(isObjectIdString(' 64b7f0c2a1b2c3d4e5f60718')).toBe(false);
    expect(isObjectIdString(42)).toBe(false);
  });
});
