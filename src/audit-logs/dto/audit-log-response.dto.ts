import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AUDIT_ACTIONS, type AuditAction } from '../schemas/audit-log.schema';

export class AuditTargetDto {
  @ApiProperty({ example: 'instagram_account' })
  type!: string;

  @ApiProperty({ example: '665f1c2e8b3c4a0012345678' })
  id!: string;
}

export class AuditLogResponseDto {
  @ApiProperty({ example: '665f1c2e8b3c4a0012345678' })
  id!: string;

  @ApiProperty({ enum: AUDIT_ACTIONS, example: 'user.login' })
  action!: AuditAction;

  @ApiPropertyOptional({ description: 'Who did it (absent for anonymous or system actions)' })
  actorId?: string;

  @ApiPropertyOptional({ description: 'The user the event is about' })
  userId?: string;

  @ApiPropertyOptional({ type: AuditTargetDto })
  target?: AuditTargetDto;

  @ApiPropertyOptional({ example: '203.0.113.7' })
  ip?: string;

  @ApiPropertyOptional()
  userAgent?: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Non-secret details (e.g. the email tried on a failed login)',
  })
  metadata!: Record<string, unknown>;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;
}

export class AuditLogListResponseDto {
  @ApiProperty({ type: [AuditLogResponseDto] })
  logs!: AuditLogResponseDto[];

  @ApiProperty({ example: 120, description: 'Entries matching the filters' })
  total!: number;

  @ApiProperty({ example: 20 })
  limit!: number;

  @ApiProperty({ example: 0 })
  skip!: number;
}
