import { ApiProperty } from '@nestjs/swagger';

/** Paging fields of every list answer that supports both `skip` and the `before` cursor. */
export class CursorPageResponseDto {
  @ApiProperty({ description: 'Items matching the filters (regardless of the cursor)' })
  total!: number;

  @ApiProperty()
  limit!: number;

  @ApiProperty()
  skip!: number;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `before` for the next (older) page; null on the last page',
  })
  nextCursor!: string | null;
}
