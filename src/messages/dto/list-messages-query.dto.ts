import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { PaginationQueryDto } from '../../common/pagination/pagination.dto';

export class ListMessagesQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ description: 'Opaque cursor: only messages older than it' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  before?: string;
}
