import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorEnvelopeDto } from '../filters/error-envelope.dto';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (per-field reasons in `details`)',
  401: 'Missing, invalid or expired access token',
  403: 'The caller lacks the permission named in the message',
  404: 'Not found (or not visible to the caller)',
  409: 'Conflicts with an existing resource',
  413: 'Payload too large',
  422: 'Understood but refused (reason in the message)',
  424: 'A dependency (Meta) refused the request; e.g. the account must be reconnected',
  429: 'Rate limited; see Retry-After',
  502: 'Meta answered with an error',
  503: 'Meta or the database is temporarily unavailable',
};

/** Documents the error envelope for each listed status. */
export function ApiErrorResponses(...statuses: number[]) {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status] ?? 'Error', type: ErrorEnvelopeDto }),
    ),
  );
}
