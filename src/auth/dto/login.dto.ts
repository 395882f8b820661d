import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { EmailField } from '../../users/validation/user-fields';

export class LoginDto {
  @EmailField()
  email!: string;

  @ApiProperty({ example: 'Passw0rd-long', format: 'password' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  password!: string;
}
