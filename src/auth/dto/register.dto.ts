import { EmailField, NameField, PasswordField } from '../../users/validation/user-fields';

export class RegisterDto {
  @NameField()
  name!: string;

  @EmailField()
  email!: string;

  @PasswordField()
  password!: string;
}
