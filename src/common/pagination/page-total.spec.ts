import { totalFromPage } from './page-total';

describe('totalFromPage', () => {
  const page = { limit: 20, skip: 0, cursor: false };

  it('knows the total of a short first page', () => {
    expect(totalFromPage(7, page)).toBe(7);
    expect(totalFromPage(0, page)).toBe(0);
  });

  it('knows the total of a short page after skipping', () => {
    expect(totalFromPage(5, { ...page, skip: 40 })).toBe(45);
  });

  it('needs a count for a full page (the extra item came back)', () => {
    expect(totalFromPage(21, page)).toBeUndefined();
  });

  it('needs a count for an empty page past the end', () => {
    expect(totalFromPage(0, { ...page, skip: 40 })).toBeUndefined();
  });

  it('needs a count for a cursor page', () => {
    expect(totalFromPage(3, { ...page, cursor: true })).toBeUndefined();
  });
});
