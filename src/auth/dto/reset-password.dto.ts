import { PasswordField } from '../../users/validation/user-fields';

export class ResetPasswordDto {
  @PasswordField()
  password!: string;
}
