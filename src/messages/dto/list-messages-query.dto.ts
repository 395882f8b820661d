import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { PaginationQueryDto } from '../../common/pagination/pagination.dto';

export class ListMessagesQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ description: 'Opaque cursor: only messages older than it' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  before?: string;

  @ApiPropertyOptional({
    description:
      'Also list messages the account tried to send but Meta refused (`status: failed`); ' +
      'left out by default',
    default: false,
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean()
  includeFailed?: boolean;
}
