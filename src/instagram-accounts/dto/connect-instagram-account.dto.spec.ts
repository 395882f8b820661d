import { ValidationError } from '../../common/errors';
import { toConnectRequest, type ConnectInstagramAccountDto } from './connect-instagram-account.dto';

function problemsOf(dto: ConnectInstagramAccountDto): unknown {
  try {
    toConnectRequest(dto);
  } catch (error) {
    if (error instanceof ValidationError) return { message: error.message, details: error.details };
    throw error;
  }
  throw new Error('accepted');
}

describe('toConnectRequest', () => {
  it('reads a Page token with its Page and Instagram account as Facebook Login', () => {
    expect(
      toConnectRequest({
        pageAccessToken: 'EAAx',
        pageId: '104',
        instagramBusinessId: '178414',
        username: 'shop',
      }),
    ).toEqual({
      connectionType: 'facebook',
      accessToken: 'EAAx',
      pageId: '104',
      instagramBusinessId: '178414',
      fallback: { username: 'shop', profilePictureUrl: undefined, followersCount: undefined },
    });
  });

  it('reads an Instagram token, pinned or not, as Instagram Login', () => {
    expect(toConnectRequest({ accessToken: 'IGAAx' })).toEqual({
      connectionType: 'instagram',
      accessToken: 'IGAAx',
    });
    expect(toConnectRequest({ accessToken: 'IGAAx', instagramBusinessId: '178414' })).toEqual({
      connectionType: 'instagram',
      accessToken: 'IGAAx',
      instagramBusinessId: '178414',
    });
  });

  it('refuses both tokens, naming accessToken', () => {
    expect(problemsOf({ accessToken: 'IGAAx', pageAccessToken: 'EAAx' })).toEqual({
      message:
        'Send either pageAccessToken with pageId and instagramBusinessId (Facebook Login) or accessToken (Instagram Login)',
      details: [{ field: 'accessToken', messages: ['exactly one token is accepted'] }],
    });
  });

  it('refuses no token, naming pageAccessToken', () => {
    expect(problemsOf({ instagramBusinessId: '178414' })).toMatchObject({
      details: [{ field: 'pageAccessToken', messages: ['a token is required'] }],
    });
  });

  it('names every field Facebook Login lacks', () => {
    expect(problemsOf({ pageAccessToken: 'EAAx' })).toEqual({
      message: 'Facebook Login needs pageId and instagramBusinessId',
      details: [
        { field: 'pageId', messages: ['pageId is required with pageAccessToken'] },
        {
          field: 'instagramBusinessId',
          messages: ['instagramBusinessId is required with pageAccessToken'],
        },
      ],
    });
  });

  it('names every Facebook Login field sent with an Instagram token', () => {
    expect(problemsOf({ accessToken: 'IGAAx', pageId: '104', followersCount: 3 })).toEqual({
      message: 'Instagram Login takes accessToken and optionally instagramBusinessId only',
      details: [
        { field: 'pageId', messages: ['pageId is not accepted with accessToken'] },
        { field: 'followersCount', messages: ['followersCount is not accepted with accessToken'] },
      ],
    });
  });
});
