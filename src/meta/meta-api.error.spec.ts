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

  it.each([1, 2])('maps code %i to transient (503, retryable)', (code) => {
    const error = toMetaApiError({ httpStatus: 500, body: graphBody(code) });
    expect(error).toMatchObject({ kind: 'transient', status: 503, retryable: true });
  });

  it.each([500, 502, 503, 504])('maps HTTP %i without a known code to transient', (httpStatus) => {
    const error = toMetaApiError({ httpStatus, body: '<html>Bad gateway</html>' });
    expect(error).toMatchObject({ kind: 'transient', status: 503, retryable: true, httpStatus });
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

  it('maps a timeout to timeout (503, retryable)', () => {
    const error = toMetaApiError({ noResponse: 'timeout' });
    expect(error).toMatchObject({ kind: 'timeout', status: 503, retryable: true });
    expect(error.httpStatus).toBeUndefined();
  });

  it('maps a connection failure to timeout (503, retryable)', () => {
    const error = toMetaApiError({ noResponse: 'network' });
    expect(error).toMatchObject({ kind: 'timeout', status: 503, retryable: true });
  });

  it('treats an error flagged is_transient as transient', () => {
    const error = toMetaApiError({
      httpStatus: 400,
      body: graphBody(9007, { is_transient: true }),
    });
    expect(error).toMatchObject({ kind: 'transient', retryable: true });
  });

  it('maps anything else to unknown (502)', () => {
    const error = toMetaApiError({ httpStatus: 400, body: graphBody(12345) });
    expect(error).toMatchObject({ kind: 'unknown', status: 502, retryable: false });
  });

  it('exposes Meta codes and trace id in details but no request data', () => {
    const error = toMetaApiError({ httpStatus: 400, body: graphBody(100, { error_subcode: 33 }) });
    expect(error.details).toEqual([
      { reason: 'invalid_parameter', metaCode: 100, metaSubcode: 33, fbtraceId: 'AbC123' },
    ]);
    expect(error.headers()).toEqual({});
  });
});
