import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorEnvelopeDto } from '../filters/error-envelope.dto';

const DESCRIPTIONS = {
  400: 'Invalid input (per-field reasons in `details`)',
  401: 'Missing, invalid or expired access token',
  403: 'The caller lacks the permission named in the message',
  404: 'Not found (or not visible to the caller)',
  409: 'Conflicts with an existing resource',
  413: 'Payload too large',
  422: 'Understood but refused (reason in the message), e.g. outside the messaging window',
  424:
    'Meta failed or refused the request: Meta answered with a server error or an error we do ' +
    'not know, did not answer in time, or rejected the token (the account must be ' +
    'reconnected). `details[0]` has `reason` (`transient`, `timeout`, `unknown`, ' +
    '`token_invalid`, `permission`, ...), `retryable`, and when Meta answered `metaCode`, ' +
    '`metaSubcode`, `metaHttpStatus` and `fbtraceId`; `Retry-After` when Meta named a wait',
  429: 'Rate limited; see Retry-After',
  503: 'The database is temporarily unavailable',
} as const;

/** An error status a route documents, with its standard description. */
export type ErrorStatus = keyof typeof DESCRIPTIONS;

/** An error status, or one with a description of its own. */
export type ErrorResponse = ErrorStatus | { status: ErrorStatus; description: string };

/** Documents the error envelope for each listed status. */
export function ApiErrorResponses(...responses: ErrorResponse[]) {
  return applyDecorators(
    ...responses.map((response) => {
      const { status, description } =
        typeof response === 'number'
          ? { status: response, description: DESCRIPTIONS[response] }
          : response;
      return ApiResponse({ status, description, type: ErrorEnvelopeDto });
    }),
  );
}
