import { EmailField } from '../../users/validation/user-fields';

export class ForgotPasswordDto {
  @EmailField()
  email!: string;
}
