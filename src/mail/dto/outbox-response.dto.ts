import { ApiProperty } from '@nestjs/swagger';

export class OutboxMailDto {
  @ApiProperty({ example: 'jane@example.com' })
  to!: string;

  @ApiProperty({ example: 'Reset your password' })
  subject!: string;

  @ApiProperty({ description: 'Plain-text body, including any link' })
  text!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  queuedAt!: string;
}

export class OutboxResponseDto {
  @ApiProperty({ type: [OutboxMailDto], description: 'Newest first, at most 50' })
  mails!: OutboxMailDto[];
}
