import { NewUserFieldsDto } from '../../users/dto/user-fields.dto';

export class RegisterDto extends NewUserFieldsDto {}
