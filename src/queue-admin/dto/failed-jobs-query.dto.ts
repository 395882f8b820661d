import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const DEFAULT_FAILED_JOBS = 20;
export const MAX_FAILED_JOBS = 100;

export class FailedJobsQueryDto {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_FAILED_JOBS,
    default: DEFAULT_FAILED_JOBS,
    description: 'How many of the most recent failures',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_FAILED_JOBS)
  limit?: number;
}
