import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { PaginationQueryDto } from '../../common/pagination/pagination.dto';

export class ListConversationsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ description: 'Opaque cursor: only conversations older than it' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  before?: string;

  @ApiPropertyOptional({ description: 'Only conversations with unread messages' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean()
  unread?: boolean;

  @ApiPropertyOptional({
    description: 'Part of the participant username or name (case-insensitive)',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  search?: string;
}
