import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { HydratedDocument, Types } from 'mongoose';
import { ROLES, type Role } from '../../common/permissions/permission-catalogue';

@Schema({ timestamps: true, collection: 'users' })
export class User {
  _id!: Types.ObjectId;

  @Prop({ required: true, trim: true, maxlength: 100 })
  name!: string;

  /** Stored lower-cased: uniqueness is case-insensitive. */
  @Prop({ required: true, lowercase: true, trim: true })
  email!: string;

  @Prop({ required: true, select: false })
  passwordHash!: string;

  @Prop({ type: String, enum: ROLES, default: 'user' })
  role!: Role;

  @Prop({ default: false })
  isEmailVerified!: boolean;

  @Prop({ default: false })
  isDisabled!: boolean;

  createdAt!: Date;
  updatedAt!: Date;
}

export type UserDocument = HydratedDocument<User>;
export const UserSchema = SchemaFactory.createForClass(User);

// Login, registration duplicate check, forgot-password: find by email.
UserSchema.index({ email: 1 }, { unique: true });
// Admin listing filtered by role, newest first.
UserSchema.index({ role: 1, createdAt: -1 });
