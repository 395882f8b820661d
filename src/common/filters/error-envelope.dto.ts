import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ErrorBodyDto {
  @ApiProperty({ example: 404 })
  code!: number;

  @ApiProperty({ example: 'Conversation not found' })
  message!: string;

  @ApiProperty({ type: 'array', items: { type: 'object' }, example: [] })
  details!: unknown[];

  @ApiPropertyOptional({ description: 'Request id, to quote when reporting a server error' })
  requestId?: string;
}

export class ErrorEnvelopeDto {
  @ApiProperty({ type: ErrorBodyDto })
  error!: ErrorBodyDto;
}
