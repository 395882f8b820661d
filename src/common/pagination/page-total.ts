/**
 * The total of a `skip`/`limit` page when the page itself proves it, saving a count: a page
 * fetched with one extra item that came back short is the last one, so the total is what it
 * skipped plus what it holds. Unknown (undefined) for a full page, an empty page past the end,
 * or a cursor page (whose total counts the items before the cursor too).
 */
export function totalFromPage(
  fetched: number,
  page: { limit: number; skip: number; cursor: boolean },
): number | undefined {
  if (page.cursor || fetched > page.limit) return undefined;
  if (fetched === 0 && page.skip > 0) return undefined;
  return page.skip + fetched;
}
