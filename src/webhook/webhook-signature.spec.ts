import { signWebhookBody } from '../meta-simulator/webhook-events';
import { isValidWebhookSignature, safeEqual } from './webhook-signature';

const body = '{"object":"instagram","entry":[]}';

describe('isValidWebhookSignature', () => {
  it('accepts the signature Meta computes with the app secret', () => {
    expect(isValidWebhookSignature(Buffer.from(body), signWebhookBody(body, 's1'), ['s1'])).toBe(
      true,
    );
  });

  it('accepts a signature made with any configured secret', () => {
    expect(
      isValidWebhookSignature(Buffer.from(body), signWebhookBody(body, 's2'), ['s1', 's2']),
    ).toBe(true);
  });

  it('refuses a signature over another body or with another secret', () => {
    expect(
      isValidWebhookSignature(Buffer.from(`${body} `), signWebhookBody(body, 's1'), ['s1']),
    ).toBe(false);
    expect(isValidWebhookSignature(Buffer.from(body), signWebhookBody(body, 'other'), ['s1'])).toBe(
      false,
    );
  });

  it('refuses a missing, malformed or unprefixed signature', () => {
    const hex = signWebhookBody(body, 's1').slice('sha256='.length);
    for (const header of [undefined, '', 'sha256=', 'sha256=zz', hex, `sha1=${hex}`]) {
      expect(isValidWebhookSignature(Buffer.from(body), header, ['s1'])).toBe(false);
    }
  });

  it('refuses everything when no secret is configured', () => {
    expect(isValidWebhookSignature(Buffer.from(body), signWebhookBody(body, 's1'), [])).toBe(false);
  });
});

describe('safeEqual', () => {
  it('compares strings of any length', () => {
    expect(safeEqual('token', 'token')).toBe(true);
    expect(safeEqual('token', 'token-longer')).toBe(false);
    expect(safeEqual('', 'x')).toBe(false);
  });
});
