import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** `?token=` of the password-reset and email-verification links. */
export class TokenQueryDto {
  @ApiProperty({ description: 'The token from the emailed link' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  token!: string;
}
