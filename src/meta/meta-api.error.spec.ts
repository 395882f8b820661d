import { MetaApiError, retryAfterMsFromHeaders, toMetaApiError } from './meta-api.error';

function graphBody(code: number, extra: Record<string, unknown> = {}) {
  return {
    error: {
      message: `Error ${code}`,
      type: 'OAuthException',
      code,
      fbtrace_id: 'AbC123',
      ...extra,
    },
  };
}

describe('toMetaApiError', () => {
  it('maps code 190 to token_invalid (424, not retryable)', () => {
    const error = toMetaApiError({ httpStatus: 401, body: graphBody(190, { error_subcode: 463 }) });
    expect(error).toBeInstanceOf(MetaApiError);
    expect(error).toMatchObject({
      kind: 'token_invalid',
      status: 424,
      retryable: false,
      code: 190,
      subcode: 463,
      type: 'OAuthException',
      fbtraceId: 'AbC123',
      httpStatus: 401,
      message: 'Error 190',
    });
  });

  it.each([4, 17, 32, 613, 80002])('maps code %i to rate_limited (429, retryable)', (code) => {
    const error = toMetaApiError({ httpStatus: 400, body: graphBody(code) });
    expect(error).toMatchObject({ kind: 'rate_limited', status: 429, retryable: true });
  });

  it('maps HTTP 429 without a Graph error body to rate_limited', () => {
    const error = toMetaApiError({ httpStatus: 429, body: 'Too Many Requests' });
    expect(error).toMatchObject({ kind: 'rate_limited', status: 429, retryable: true });
    expect(error.message).toBe('Meta API answered with HTTP 429');
  });

  it('reads the wait from X-Business-Use-Case-Usage estimated_time_to_regain_access (minutes)', () => {
    const usage = {
      '17841400000000001': [
        { type: 'instagram', call_count: 100, estimated_time_to_regain_access: 3 },
      ],
    };
    const error = toMetaApiError({
      httpStatus: 400,
      body: graphBody(80002),
      headers: { 'X-Business-Use-Case-Usage': JSON.stringify(usage) },
    });
    expect(error.retryAfterMs).toBe(180_000);
    expect(error.headers()).toEqual({ 'Retry-After': '180' });
  });

  it('reads the wait from X-App-Usage and Retry-After, keeping the longest', () => {
    const error = toMetaApiError({
      httpStatus: 429,
      body: graphBody(4),
      headers: {
        'x-app-usage': JSON.stringify({ call_count: 100, estimated_time_to_regain_access: 1 }),
        'retry-after': '90',
      },
    });
    expect(error.retryAfterMs).toBe(90_000);
  });

  it('gives a default Retry-After when Meta sent no estimate', () => {
    const error = toMetaApiError({ httpStatus: 400, body: graphBody(4) });
    expect(error.retryAfterMs).toBeUndefined();
    expect(error.headers()).toEqual({ 'Retry-After': '60' });
  });

  it('ignores malformed usage headers', () => {
    expect(retryAfterMsFromHeaders({ 'x-app-usage': '{not json', 'retry-after': 'soon' })).toBe(
      undefined,
    );
  });

  it.each([1, 2])('maps code %i to transient (424, retryable)', (code) => {
    const error = toMetaApiError({ httpStatus: 500, body: graphBody(code) });
    expect(error).toMatchObject({ kind: 'transient', status: 424, retryable: true });
  });

  it.each([500, 502, 503, 504])(
    'maps HTTP %i without a known code to transient (424, not a 5xx of ours)',
    (httpStatus) => {
      const error = toMetaApiError({ httpStatus, body: '<html>Bad gateway</html>' });
      expect(error).toMatchObject({ kind: 'transient', status: 424, retryable: true, httpStatus });
      expect(error.details).toEqual([
        { reason: 'transient', retryable: true, metaHttpStatus: httpStatus },
      ]);
    },
  );

  it('passes on the Retry-After Meta sent with a server error', () => {
    const error = toMetaApiError({
      httpStatus: 503,
      body: graphBody(2),
      headers: { 'Retry-After': '30' },
    });
    expect(error).toMatchObject({ kind: 'transient', status: 424, retryAfterMs: 30_000 });
    expect(error.headers()).toEqual({ 'Retry-After': '30' });
  });

  it('sends no Retry-After for a server error without a known wait', () => {
    expect(toMetaApiError({ httpStatus: 500, body: graphBody(2) }).headers()).toEqual({});
  });

  it('maps code 10 on a send to outside_window (422)', () => {
    const error = toMetaApiError({ httpStatus: 400, body: graphBody(10), isSend: true });
    expect(error).toMatchObject({ kind: 'outside_window', status: 422, retryable: false });
  });

  it('maps subcode 2018278 to outside_window whatever the code', () => {
    const error = toMetaApiError({
      httpStatus: 400,
      body: graphBody(100, { error_subcode: 2018278 }),
    });
    expect(error).toMatchObject({ kind: 'outside_window', status: 422, subcode: 2018278 });
  });

  it('maps code 551 to recipient_unavailable (422)', () => {
    const error = toMetaApiError({
      httpStatus: 400,
      body: graphBody(551, { error_subcode: 1545041 }),
      isSend: true,
    });
    expect(error).toMatchObject({ kind: 'recipient_unavailable', status: 422, retryable: false });
  });

  it('maps code 100 to invalid_parameter (422)', () => {
    const error = toMetaApiError({ httpStatus: 400, body: graphBody(100, { error_subcode: 33 }) });
    expect(error).toMatchObject({ kind: 'invalid_parameter', status: 422, retryable: false });
  });

  it.each([10, 200, 230, 299])('maps code %i outside a send to permission (424)', (code) => {
    const error = toMetaApiError({ httpStatus: 403, body: graphBody(code) });
    expect(error).toMatchObject({ kind: 'permission', status: 424, retryable: false });
  });

  it('maps a timeout to timeout (424, retryable)', () => {
    const error = toMetaApiError({ noResponse: 'timeout' });
    expect(error).toMatchObject({ kind: 'timeout', status: 424, retryable: true });
    expect(error.httpStatus).toBeUndefined();
    expect(error.details).toEqual([{ reason: 'timeout', retryable: true }]);
    expect(error.headers()).toEqual({});
  });

  it('maps a connection failure to timeout (424, retryable)', () => {
    const error = toMetaApiError({ noResponse: 'network' });
    expect(error).toMatchObject({ kind: 'timeout', status: 424, retryable: true });
  });

  it('treats an error flagged is_transient as transient', () => {
    const error = toMetaApiError({
      httpStatus: 400,
      body: graphBody(9007, { is_transient: true }),
    });
    expect(error).toMatchObject({ kind: 'transient', retryable: true });
  });

  it('maps anything else to unknown (424)', () => {
    const error = toMetaApiError({ httpStatus: 400, body: graphBody(12345) });
    expect(error).toMatchObject({ kind: 'unknown', status: 424, retryable: false });
  });

  it('exposes Meta codes, retryability and trace id in details but no request data', () => {
    const error = toMetaApiError({ httpStatus: 400, body: graphBody(100, { error_subcode: 33 }) });
    expect(error.details).toEqual([
      {
        reason: 'invalid_parameter',
        retryable: false,
        metaCode: 100,
        metaSubcode: 33,
        metaHttpStatus: 400,
        fbtraceId: 'AbC123',
      },
    ]);
    expect(error.headers()).toEqual({});
  });

  it('never answers a Meta failure with a 5xx status', () => {
    const inputs = [
      { noResponse: 'timeout' as const },
      { noResponse: 'network' as const },
      ...[400, 401, 403, 404, 429, 500, 502, 503, 504].flatMap((httpStatus) =>
        [undefined, 1, 2, 4, 10, 100, 190, 200, 551, 12345].map((code) => ({
          httpStatus,
          body: code === undefined ? 'not json' : graphBody(code),
          isSend: true,
        })),
      ),
    ];
    for (const input of inputs) expect(toMetaApiError(input).status).toBeLessThan(500);
  });
});
