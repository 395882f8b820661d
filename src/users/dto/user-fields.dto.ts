import { EmailField, NameField, PasswordField } from '../validation/user-fields';

/** The fields of a new user (registration, an admin creating a user). */
export class NewUserFieldsDto {
  @NameField()
  name!: string;

  @EmailField()
  email!: string;

  @PasswordField()
  password!: string;
}

/** The same fields as changes: each optional, checked the same way when given. */
export class UserFieldChangesDto {
  @NameField({ optional: true })
  name?: string;

  @EmailField({ optional: true })
  email?: string;

  @PasswordField({ optional: true })
  password?: string;
}
